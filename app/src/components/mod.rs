pub mod charts;
pub mod common;
pub mod dead_letters;
pub mod tenants;
