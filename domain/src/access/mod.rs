//! Who may use the console and what each role may do. The server enforces these rules in
//! every route and server function; the browser only uses them to hide what would be
//! refused anyway.

mod audit_action;
mod email;
mod password;
mod role;
mod throttle;

pub use audit_action::AuditAction;
pub use email::{Email, EmailError};
pub use password::{NewPassword, PasswordRejection};
pub use role::{Action, Role, RoleError};
pub use throttle::{ThrottlePolicy, ACCOUNT_ADDRESS_THROTTLE, ACCOUNT_THROTTLE, IP_THROTTLE};
