mod account_page;
mod audit_page;
mod error_page;
mod login_page;
mod not_found_page;
mod overview_page;
mod tenant_page;
mod tenants_page;
mod users_page;

pub use account_page::AccountPage;
pub use audit_page::AuditPage;
pub use error_page::ErrorPage;
pub use login_page::LoginPage;
pub use not_found_page::NotFoundPage;
pub use overview_page::OverviewPage;
pub use tenant_page::TenantPage;
pub use tenants_page::TenantsPage;
pub use users_page::UsersPage;
