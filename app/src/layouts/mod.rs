mod console_layout;
mod sidebar;
mod user_menu;

pub use console_layout::{ConsoleFrame, ConsoleLayout};
