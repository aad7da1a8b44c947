mod console_layout;
mod sidebar;

pub use console_layout::ConsoleLayout;
