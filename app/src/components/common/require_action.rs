use domain::access::Action;
use leptos::prelude::*;

use crate::pages::NotFoundPage;
use crate::MeResource;

/// Renders its children only for a user whose role allows `action`; anyone else gets the
/// "page not found" page (with its 404 status), as if the page did not exist. The server
/// functions behind the page refuse them too: this only keeps the page honest.
#[component]
pub fn RequireAction(action: Action, children: ChildrenFn) -> impl IntoView {
    let me = expect_context::<MeResource>();
    let children = StoredValue::new(children);

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let allowed = me.await.ok().flatten().is_some_and(|me| me.role.allows(action));
                if allowed {
                    children.read_value()().into_any()
                } else {
                    view! { <NotFoundPage /> }.into_any()
                }
            })}
        </Suspense>
    }
}
