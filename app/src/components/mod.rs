pub mod charts;
pub mod common;
pub mod csv_export;
pub mod dead_letters;
pub mod demo;
pub mod tenants;
