mod not_found_page;
mod overview_page;

pub use not_found_page::NotFoundPage;
pub use overview_page::OverviewPage;
