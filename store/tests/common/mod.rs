//! What the store's test binaries share.

use domain::{AppKey, DataCenter};
use store::tenants::{self, NewTenant, Tenant};
use store::{Cipher, PgPool};

/// The master key the tests encrypt tenants' secrets with.
pub const KEY: [u8; 32] = [7; 32];

/// Registers a tenant with `app_key` as its workspace id.
pub async fn tenant(pool: &PgPool, app_key: &str) -> Tenant {
    let new = NewTenant {
        app_key: AppKey::parse(app_key).expect("a workspace id"),
        name: format!("{app_key} Ltd"),
        data_center: DataCenter::parse("DC-01").expect("a data center"),
        moengage_api_key: "moe-key-1234".to_owned(),
        demo: false,
    };
    tenants::create(pool, &Cipher::new(&KEY), new)
        .await
        .expect("the tenant is stored")
}
