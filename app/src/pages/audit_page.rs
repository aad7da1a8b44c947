use domain::access::{Action, AuditAction};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::audit::{list_audit, AuditPage as Entries, AuditQuery, AuditRow};
use crate::components::common::{DataTable, ErrorPanel, RequireAction};
use crate::query_string;

/// Who changed what: every sign-in, failed sign-in and change people made. Admins only.
/// The filters are a GET form, so the URL holds the view and can be shared.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Title text="Audit" />
        <RequireAction action=Action::ViewAudit>
            <AuditContent />
        </RequireAction>
    }
}

#[component]
fn AuditContent() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| AuditQuery {
            action: q.get("action").unwrap_or_default(),
            who: q.get("who").unwrap_or_default(),
            period: q.get("period").unwrap_or_default(),
            before: q.get("before").unwrap_or_default(),
        })
    });
    let entries = Resource::new(move || filters.get(), list_audit);

    view! {
        <header class="page-header">
            <h1>"Audit"</h1>
            <p class="page-header__lede">
                "Every sign-in, failed sign-in and change made by people or at the command line, newest first."
            </p>
        </header>
        <Filters current=filters.get_untracked() />
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors what="the audit log" /> }>
            <Transition fallback=|| {
                view! { <p class="skeleton-block" aria-busy="true"></p> }
            }>
                {move || Suspend::new(async move {
                    entries
                        .await
                        .map(|page| view! { <EntriesTable page filters=filters.get_untracked() /> })
                })}
            </Transition>
        </ErrorBoundary>
    }
}

#[component]
fn Filters(current: AuditQuery) -> impl IntoView {
    let actions = AuditAction::ALL
        .into_iter()
        .map(|action| {
            view! {
                <option value=action.as_str() selected=current.action == action.as_str()>
                    {action.label()}
                </option>
            }
        })
        .collect_view();
    let periods = [
        ("", "All time"),
        ("24h", "Last 24 hours"),
        ("7d", "Last 7 days"),
        ("30d", "Last 30 days"),
    ]
    .into_iter()
    .map(|(value, label)| {
        view! {
            <option value=value selected=current.period == value>
                {label}
            </option>
        }
    })
    .collect_view();

    view! {
        <form
            method="get"
            action="/audit"
            class="filters"
            role="search"
            aria-label="Filter the audit log"
        >
            <div class="field">
                <label for="filter-action">"Action"</label>
                <select id="filter-action" name="action">
                    <option value="">"Any action"</option>
                    {actions}
                </select>
            </div>
            <div class="field">
                <label for="filter-who">"Who or what"</label>
                <input
                    id="filter-who"
                    name="who"
                    type="search"
                    value=current.who
                    placeholder="email, workspace id"
                />
            </div>
            <div class="field">
                <label for="filter-period">"When"</label>
                <select id="filter-period" name="period">
                    {periods}
                </select>
            </div>
            <button type="submit" class="button">
                "Filter"
            </button>
            <a href="/audit" class="button--quiet">
                "Clear"
            </a>
        </form>
    }
}

#[component]
fn EntriesTable(page: Entries, filters: AuditQuery) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if filters == AuditQuery::default() {
            "Nothing yet. Sign-ins and every change people make will be listed here."
        } else {
            "No entry matches these filters."
        };
        return view! { <p class="empty-note">{text}</p> }.into_any();
    }
    let older = page.older.map(|cursor| {
        let mut params = url_params(&filters);
        params.push(("before", cursor));
        let href = format!("/audit?{}", query_string::query(&params));
        view! {
            <a class="button--quiet" href=href rel="next">
                "Older entries →"
            </a>
        }
    });
    let newest = (!filters.before.is_empty()).then(|| {
        let href = format!("/audit?{}", query_string::query(&url_params(&filters)));
        view! {
            <a class="button--quiet" href=href>
                "← Newest"
            </a>
        }
    });
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <EntryRow row /> })
        .collect_view();

    view! {
        <section class="panel">
            <DataTable columns=&[
                "When (UTC)",
                "Who",
                "Action",
                "What",
                "Before → after",
                "From",
            ]>{rows}</DataTable>
            <nav class="pager" aria-label="Pages">
                {newest}
                {older}
            </nav>
        </section>
    }
    .into_any()
}

#[component]
fn EntryRow(row: AuditRow) -> impl IntoView {
    let change = changes(row.before.as_deref(), row.after.as_deref())
        .into_iter()
        .map(|line| view! { <li>{line}</li> })
        .collect_view();
    let chip = if row.action == AuditAction::SignInFailed.as_str() {
        "chip chip--bad"
    } else {
        "chip"
    };

    view! {
        <tr>
            <td data-label="When (UTC)">
                <time datetime=row.at.clone() title=row.at>
                    {row.at_text}
                </time>
            </td>
            <td data-label="Who" class="mono">
                {row.actor}
            </td>
            <td data-label="Action">
                <span class=chip>{row.action_label}</span>
            </td>
            <td data-label="What" class="mono">
                {row.target.unwrap_or_default()}
            </td>
            <td data-label="Before → after" class="mono change">
                <ul class="change__list">{change}</ul>
            </td>
            <td data-label="From" class="mono">
                {row.source_ip.unwrap_or_default()}
            </td>
        </tr>
    }
}

/// What changed, one line per field: `role: viewer → support`, or `role: viewer` when
/// there is only an after (a creation). Fields that stayed the same are left out.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    use serde_json::{Map, Value};
    let object = |raw: Option<&str>| -> Map<String, Value> {
        match raw.and_then(|raw| serde_json::from_str::<Value>(raw).ok()) {
            Some(Value::Object(map)) => map,
            Some(other) => Map::from_iter([("value".to_owned(), other)]),
            None => Map::new(),
        }
    };
    let (before, after) = (object(before), object(after));
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        Value::Array(items) if items.is_empty() => "none".to_owned(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let mut fields: Vec<&String> = after.keys().chain(before.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| match (before.get(field), after.get(field)) {
            (Some(old), Some(new)) if old == new => None,
            (Some(old), Some(new)) => Some(format!("{field}: {} → {}", text(old), text(new))),
            (None, Some(new)) => Some(format!("{field}: {}", text(new))),
            (Some(old), None) => Some(format!("{field}: {} → (none)", text(old))),
            (None, None) => None,
        })
        .collect()
}

fn url_params(filters: &AuditQuery) -> Vec<(&'static str, String)> {
    [
        ("action", &filters.action),
        ("who", &filters.who),
        ("period", &filters.period),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(name, value)| (name, value.clone()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::changes;

    #[test]
    fn only_the_fields_that_changed_are_shown() {
        let before = r#"{"email":"v@example.com","role":"viewer","tenants":["ACME01"]}"#;
        let after = r#"{"email":"v@example.com","role":"support","tenants":[]}"#;
        assert_eq!(
            changes(Some(before), Some(after)),
            ["role: viewer → support", "tenants: ACME01 → none"]
        );
    }

    #[test]
    fn a_creation_lists_what_was_set() {
        assert_eq!(
            changes(None, Some(r#"{"reason":"wrong password"}"#)),
            ["reason: wrong password"]
        );
        assert!(changes(None, None).is_empty());
    }
}
