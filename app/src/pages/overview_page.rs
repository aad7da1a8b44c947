use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::common::ServiceStatusCard;

/// The landing page. For now it shows whether the service itself is healthy; the delivery
/// numbers and the "needs attention" list join it once reports flow.
#[component]
pub fn OverviewPage() -> impl IntoView {
    view! {
        <Title text="Overview" />
        <header class="page-header">
            <h1>"Overview"</h1>
            <p class="page-header__lede">
                "dlrhub receives Sinch delivery reports and forwards them to MoEngage as SMS Sent, SMS Delivered and SMS Delivery Failed events."
            </p>
        </header>
        <ServiceStatusCard />
    }
}
