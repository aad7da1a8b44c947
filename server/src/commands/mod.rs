pub mod events;
pub mod migrate;
pub mod serve;
pub mod tenant;
