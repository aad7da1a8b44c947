pub mod dev;
pub mod events;
pub mod migrate;
pub mod secrets;
pub mod serve;
pub mod tenant;
pub mod user;
