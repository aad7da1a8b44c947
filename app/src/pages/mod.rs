mod error_page;
mod not_found_page;
mod overview_page;

pub use error_page::ErrorPage;
pub use not_found_page::NotFoundPage;
pub use overview_page::OverviewPage;
