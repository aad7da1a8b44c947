use domain::access::{Action, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::error::ApiError;
use crate::api::forms::form_errors;
use crate::api::users::{
    list_users, tenant_choices, AddUser, IssuedPassword, ResetUserPassword, SetUserDisabled,
    TenantChoice, UpdateUser, UserRow,
};
use crate::components::common::{
    Confirm, CopyButton, DataTable, ErrorPanel, FieldError, RequireAction, StateChip,
};

/// Admins add people, change their role and tenants, disable them and reset passwords.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <RequireAction action=Action::ManageUsers>
            <UsersContent />
        </RequireAction>
    }
}

#[component]
fn UsersContent() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let users = Resource::new(
        move || {
            (
                add.version().get(),
                update.version().get(),
                disable.version().get(),
            )
        },
        |_| list_users(),
    );
    let tenants = Resource::new(|| (), |_| tenant_choices());
    provide_context(RowActions {
        update,
        disable,
        reset,
    });

    view! {
        <header class="page-header">
            <h1>"Users"</h1>
            <p class="page-header__lede">
                "Admins do everything and manage users. Support manages tenants, replays and inspects events. Viewers only read, limited to their tenants, with phone numbers masked."
            </p>
        </header>
        <Notices add update disable reset />
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors what="the users" /> }>
            <Transition fallback=|| {
                view! { <p class="skeleton-block" aria-busy="true"></p> }
            }>
                {move || Suspend::new(async move {
                    let tenants = tenants.await?;
                    let users = users.await?;
                    Ok::<
                        _,
                        ApiError,
                    >(
                        view! {
                            <AddUserForm add tenants=tenants.clone() />
                            <UsersTable users tenants />
                        },
                    )
                })}
            </Transition>
        </ErrorBoundary>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    update: ServerAction<UpdateUser>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
}

/// The outcome of the last action: a password to hand over, or what went wrong.
#[component]
fn Notices(
    add: ServerAction<AddUser>,
    update: ServerAction<UpdateUser>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
) -> impl IntoView {
    let issued = |issued: Option<IssuedPassword>, what: &'static str| {
        issued.map(|issued| view! { <IssuedPasswordPanel issued what /> })
    };
    let problem = |value: Option<Result<(), ApiError>>| {
        value.and_then(Result::err).map(|error| error.to_string())
    };
    let problems = move || {
        [
            problem(update.value().get()),
            problem(disable.value().get()),
        ]
        .into_iter()
        .flatten()
        .chain(
            reset
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| e.to_string()),
        )
        .chain(
            add.value()
                .get()
                .and_then(Result::err)
                // Wrong input is shown beside its field in the form.
                .filter(|error| error.fields().is_none())
                .map(|e| e.to_string()),
        )
        .map(|message| {
            view! {
                <p class="notice notice--error" role="alert">
                    {message}
                </p>
            }
        })
        .collect_view()
    };

    view! {
        {move || issued(add.value().get().and_then(Result::ok), "added")}
        {move || issued(reset.value().get().and_then(Result::ok), "reset")}
        {problems}
    }
}

#[component]
fn IssuedPasswordPanel(issued: IssuedPassword, what: &'static str) -> impl IntoView {
    let headline = match what {
        "added" => format!("{} can sign in now.", issued.email),
        _ => format!(
            "The password of {} is reset; their sessions have ended.",
            issued.email
        ),
    };
    view! {
        <div class="panel panel--success" role="status">
            <p>{headline}</p>
            <p>
                "Their password, shown only this once: "
                <code class="mono secret">{issued.password.clone()}</code> " "
                <CopyButton text=issued.password label="Copy the password" />
            </p>
            <p class="panel__lede">
                "Hand it over privately; they can change it on their Account page."
            </p>
        </div>
    }
}

#[component]
fn AddUserForm(add: ServerAction<AddUser>, tenants: Vec<TenantChoice>) -> impl IntoView {
    let errors = Signal::derive(move || form_errors(add.value().get()));

    view! {
        <section class="panel" aria-labelledby="add-user-title">
            <h2 class="panel__title" id="add-user-title">
                "Add a user"
            </h2>
            <ActionForm action=add attr:class="form form--inline">
                <div class="field">
                    <label for="new-email">"Email"</label>
                    <input
                        id="new-email"
                        name="email"
                        type="email"
                        required
                        autocomplete="off"
                        aria-describedby="email-error"
                    />
                    <FieldError errors field="email" />
                </div>
                <div class="field">
                    <label for="new-role">"Role"</label>
                    <RoleSelect id="new-role".to_owned() current=Role::Viewer />
                    <FieldError errors field="role" />
                </div>
                <TenantBoxes tenants selected=Vec::new() legend="Tenants (viewers only)" />
                <FieldError errors field="tenants" />
                <button
                    type="submit"
                    class="button"
                    disabled=move || add.pending().get()
                    aria-busy=move || add.pending().get().to_string()
                >
                    {move || if add.pending().get() { "Adding…" } else { "Add user" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn RoleSelect(id: String, current: Role) -> impl IntoView {
    let options = Role::ALL
        .into_iter()
        .map(|role| {
            view! {
                <option value=role.as_str() selected=role == current>
                    {role.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <select id=id name="role">
            {options}
        </select>
    }
}

/// One checkbox per tenant, named `tenants[i]` so the form posts a list.
#[component]
fn TenantBoxes(
    tenants: Vec<TenantChoice>,
    selected: Vec<String>,
    legend: &'static str,
) -> impl IntoView {
    let empty = tenants.is_empty().then(|| {
        view! { <p class="muted">"No tenants registered yet: viewers will see none."</p> }
    });
    let boxes = tenants
        .into_iter()
        .enumerate()
        .map(|(index, tenant)| {
            let checked = selected.contains(&tenant.app_key);
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name=format!("tenants[{index}]")
                        value=tenant.app_key.clone()
                        checked=checked
                    />
                    <span>{tenant.name}</span>
                    <span class="mono muted">{tenant.app_key}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field checks">
            <legend>{legend}</legend>
            {empty}
            {boxes}
        </fieldset>
    }
}

#[component]
fn UsersTable(users: Vec<UserRow>, tenants: Vec<TenantChoice>) -> impl IntoView {
    let rows = users
        .into_iter()
        .map(|user| view! { <UserRowView user tenants=tenants.clone() /> })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="users-title">
            <h2 class="panel__title" id="users-title">
                "People"
            </h2>
            <DataTable columns=&[
                "Email",
                "Role",
                "Tenants",
                "State",
                "Added",
                "Actions",
            ]>{rows}</DataTable>
        </section>
    }
}

#[component]
fn UserRowView(user: UserRow, tenants: Vec<TenantChoice>) -> impl IntoView {
    let actions = expect_context::<RowActions>();
    let tenant_list = match (user.role, user.tenants.is_empty()) {
        (Role::Viewer, true) => "none".to_owned(),
        (Role::Viewer, false) => user.tenants.join(", "),
        _ => "all".to_owned(),
    };
    let state = view! { <StateChip on=!user.disabled on_label="Active" off_label="Disabled" /> };
    let edit = edit_form(actions.update, &user, tenants);
    let toggle = disable_form(actions.disable, &user);
    let reset = reset_form(actions.reset, &user);

    view! {
        <tr class:row--muted=user.disabled>
            <td data-label="Email" class="mono">{user.email}</td>
            <td data-label="Role">
                <span class="chip chip--role">{user.role.label()}</span>
            </td>
            <td data-label="Tenants" class="mono">{tenant_list}</td>
            <td data-label="State">{state}</td>
            <td data-label="Added">
                <time datetime=user.created_at.clone() title=user.created_at>
                    {user.created_text}
                </time>
            </td>
            <td data-label="Actions" class="row-actions">{edit} {toggle} {reset}</td>
        </tr>
    }
}

fn edit_form(
    update: ServerAction<UpdateUser>,
    user: &UserRow,
    tenants: Vec<TenantChoice>,
) -> impl IntoView {
    let id = user.id.to_string();
    let label = format!("Save {}", user.email);
    let (role, selected) = (user.role, user.tenants.clone());
    view! {
        <Confirm summary="Edit">
            <ActionForm action=update attr:class="confirm__body form">
                <input type="hidden" name="id" value=id.clone() />
                <div class="field">
                    <label for=format!("role-{id}")>"Role"</label>
                    <RoleSelect id=format!("role-{id}") current=role />
                </div>
                <TenantBoxes tenants selected legend="Tenants (viewers only)" />
                <button type="submit" class="button">
                    {label}
                </button>
            </ActionForm>
        </Confirm>
    }
}

fn disable_form(disable: ServerAction<SetUserDisabled>, user: &UserRow) -> impl IntoView {
    let id = user.id.to_string();
    if user.disabled {
        return view! {
            <ActionForm action=disable attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="disabled" value="false" />
                <button type="submit" class="button--quiet">
                    "Enable"
                </button>
            </ActionForm>
        }
        .into_any();
    }
    let warning = format!(
        "{} is signed out everywhere and cannot sign in until enabled again.",
        user.email
    );
    let label = format!("Disable {}", user.email);
    view! {
        <Confirm summary="Disable…">
            <ActionForm action=disable attr:class="confirm__body">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="disabled" value="true" />
                <p>{warning}</p>
                <button type="submit" class="button button--danger">
                    {label}
                </button>
            </ActionForm>
        </Confirm>
    }
    .into_any()
}

fn reset_form(reset: ServerAction<ResetUserPassword>, user: &UserRow) -> impl IntoView {
    let id = user.id.to_string();
    let warning = format!(
        "{} gets a new password, shown to you once, and is signed out everywhere.",
        user.email
    );
    let label = format!("Reset the password of {}", user.email);
    view! {
        <Confirm summary="Reset password…">
            <ActionForm action=reset attr:class="confirm__body">
                <input type="hidden" name="id" value=id />
                <p>{warning}</p>
                <button type="submit" class="button button--danger">
                    {label}
                </button>
            </ActionForm>
        </Confirm>
    }
}
