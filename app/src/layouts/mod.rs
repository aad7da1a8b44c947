mod console_layout;
mod sidebar;
mod top_search;
mod user_menu;

pub use console_layout::{ConsoleFrame, ConsoleLayout};
