pub mod charts;
pub mod common;
pub mod tenants;
