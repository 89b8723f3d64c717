//! Accounts and sign-in through the real handlers, the real DynamoDB and SES
//! clients and the e-mail use case, against the local emulator.

mod support;

use serde_json::{Value, json};
use support::{Call, Reply, Stack, reply};
use tillbox::app::accounts;
use tillbox::app::notifications::{self, Links, Outcome};
use tillbox::domain::rate_limit::LOGIN_PER_ACCOUNT_AND_IP;
use tillbox::domain::{Event, Role};
use tillbox::inbound::http::{admin_users, auth, me, products};
use tillbox::outbound::ses::Ses;

const PASSWORD: &str = "plum-harbour-47-kettle";

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn address() -> String {
    format!("ann.{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

async fn post(stack: &Stack, path: &str, body: Value) -> Reply {
    let call = Call::new("POST", path).json(body);
    post_call(stack, path, call).await
}

async fn post_call(stack: &Stack, path: &str, call: Call) -> Reply {
    let request = call.build();
    let result = match path {
        "/auth/signup" => auth::signup(&stack.access(), request).await,
        "/auth/verify-email" => auth::verify_email(&stack.access(), request).await,
        "/auth/login" => auth::login(&stack.sign_in(), request).await,
        "/auth/refresh" => auth::refresh(&stack.sign_in(), request).await,
        "/auth/logout" => auth::logout(&stack.access(), request).await,
        "/auth/password/forgot" => auth::forgot_password(&stack.access(), request).await,
        "/auth/password/reset" => auth::reset_password(&stack.access(), request).await,
        other => panic!("no route {other}"),
    };
    reply(result)
}

/// Plays the outbox → fan-out → e-mail job path for every event not yet handled:
/// the events are read back from the outbox items the use cases wrote.
async fn send_pending_emails(stack: &Stack) {
    let links = Links {
        shop_name: "Test shop".into(),
        storefront_url: "https://shop.test".into(),
        staff_email: None,
        cart_reminders: false,
    };
    let mailer = Ses::new(&stack.sdk, "shop@tillbox.local");
    for item in stack.items_with_pk("OUTBOX#").await {
        let event: Event = serde_json::from_str(item["payload"].as_s().unwrap()).unwrap();
        notifications::deliver(&stack.table(), &mailer, (&links, &stack.order_links()), &event, now()).await.unwrap();
    }
}

/// The token in the newest e-mail to `to` whose subject contains `subject`.
fn token_from_email(stack: &Stack, to: &str, subject: &str) -> String {
    let emails = stack.emails_to(to);
    let (_, body) =
        emails.iter().rev().find(|(s, _)| s.contains(subject)).unwrap_or_else(|| panic!("no {subject:?} mail"));
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// A verified customer: signs up, follows the e-mailed link.
async fn verified_user(stack: &Stack) -> String {
    let email = address();
    assert_eq!(post(stack, "/auth/signup", json!({"email": email, "password": PASSWORD})).await.status, 202);
    send_pending_emails(stack).await;
    let token = token_from_email(stack, &email, "confirm");
    assert_eq!(post(stack, "/auth/verify-email", json!({"token": token})).await.status, 204);
    email
}

async fn login(stack: &Stack, email: &str, password: &str) -> Reply {
    post(stack, "/auth/login", json!({"email": email, "password": password})).await
}

async fn refresh(stack: &Stack, token: &Value) -> Reply {
    post(stack, "/auth/refresh", json!({"refresh_token": token})).await
}

async fn get_me(stack: &Stack, access: &Value) -> Reply {
    reply(me::get(&stack.access(), Call::new("GET", "/me").token(access.as_str().unwrap()).build()).await)
}

#[tokio::test]
async fn signup_verify_login_refresh_and_reuse_detection() {
    let stack = Stack::new().await;
    let email = address();
    let signed_up = post(&stack, "/auth/signup", json!({"email": email.to_uppercase(), "password": PASSWORD})).await;
    assert_eq!(signed_up.status, 202, "{}", signed_up.body);

    // Not verified yet: the right password learns that, a wrong one does not.
    login(&stack, &email, PASSWORD).await.assert_problem(403, "email_not_verified", None);
    login(&stack, &email, "wrong-password-123").await.assert_problem(401, "invalid_credentials", None);

    send_pending_emails(&stack).await;
    let token = token_from_email(&stack, &email, "confirm your e-mail");
    assert_eq!(post(&stack, "/auth/verify-email", json!({"token": token})).await.status, 204);
    post(&stack, "/auth/verify-email", json!({"token": token})).await.assert_problem(
        400,
        "invalid_token",
        Some("token"),
    );

    let signed_in = login(&stack, &email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.header("cache-control"), Some("no-store"));
    assert_eq!(signed_in.body["expires_in"], 900);
    let me = get_me(&stack, &signed_in.body["access_token"]).await;
    assert_eq!((me.body["email"].as_str(), me.body["role"].as_str()), (Some(email.as_str()), Some("customer")));
    assert!(me.body.get("password_hash").is_none());

    let first = signed_in.body["refresh_token"].clone();
    let second = refresh(&stack, &first).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.body["refresh_token"], first);
    assert_eq!(get_me(&stack, &second.body["access_token"]).await.status, 200);

    // The spent token comes back: the whole session ends, the newest token too.
    refresh(&stack, &first).await.assert_problem(401, "refresh_token_reused", Some("refresh_token"));
    refresh(&stack, &second.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    // Stored: hashes only, never the tokens themselves.
    let stored = format!("{:?}", stack.items().await);
    assert!(!stored.contains(first.as_str().unwrap()) && !stored.contains(&token));
}

#[tokio::test]
async fn unknown_addresses_and_wrong_passwords_look_the_same() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let unknown = login(&stack, "nobody@example.com", PASSWORD).await;
    let wrong = login(&stack, &email, "not-the-password-1").await;
    unknown.assert_problem(401, "invalid_credentials", None);
    assert_eq!(unknown.body, wrong.body);

    // Signing up again with a taken address: same answer, no second account, and
    // the owner is told by e-mail.
    let again = post(&stack, "/auth/signup", json!({"email": email, "password": "another-pass-9876"})).await;
    let fresh = post(&stack, "/auth/signup", json!({"email": address(), "password": "another-pass-9876"})).await;
    assert_eq!((again.status, &again.body), (fresh.status, &fresh.body));
    assert_eq!(stack.items_with_pk("EMAIL#").await.len(), 2);
    send_pending_emails(&stack).await;
    assert!(stack.emails_to(&email).iter().any(|(subject, _)| subject.contains("already have an account")));
    login(&stack, &email, PASSWORD).await;
    assert_eq!(login(&stack, &email, PASSWORD).await.status, 200, "the password did not change");

    // Forgot: 202 either way, and only a real account gets an e-mail.
    for who in [email.as_str(), "nobody@example.com"] {
        let forgot = post(&stack, "/auth/password/forgot", json!({"email": who})).await;
        assert_eq!(forgot.status, 202);
    }
    send_pending_emails(&stack).await;
    assert!(stack.emails_to("nobody@example.com").is_empty());
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let stack = Stack::new().await;
    let common = post(&stack, "/auth/signup", json!({"email": address(), "password": "password123"})).await;
    common.assert_problem(422, "validation_failed", Some("password"));
    let short = post(&stack, "/auth/signup", json!({"email": address(), "password": "short"})).await;
    short.assert_problem(422, "validation_failed", Some("password"));
    let email = post(&stack, "/auth/signup", json!({"email": "not-an-address", "password": PASSWORD})).await;
    email.assert_problem(422, "validation_failed", Some("email"));
    post(&stack, "/auth/signup", json!({"email": address()})).await.assert_problem(
        400,
        "malformed_body",
        Some("password"),
    );
    assert!(stack.items().await.iter().all(|i| i["PK"].as_s().unwrap().starts_with("RATE#")), "only counters");
}

#[tokio::test]
async fn password_reset_revokes_every_session() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let session = login(&stack, &email, PASSWORD).await;
    assert_eq!(post(&stack, "/auth/password/forgot", json!({"email": email})).await.status, 202);
    send_pending_emails(&stack).await;
    let token = token_from_email(&stack, &email, "reset your password");

    let weak = post(&stack, "/auth/password/reset", json!({"token": token, "password": "qwerty123"})).await;
    weak.assert_problem(422, "validation_failed", Some("password"));
    let new_password = "new-orbit-2026-lantern";
    let reset = post(&stack, "/auth/password/reset", json!({"token": token, "password": new_password})).await;
    assert_eq!(reset.status, 204, "{}", reset.body);
    let again = post(&stack, "/auth/password/reset", json!({"token": token, "password": "yet-another-pass-1"})).await;
    again.assert_problem(400, "invalid_token", Some("token"));

    refresh(&stack, &session.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    login(&stack, &email, PASSWORD).await.assert_problem(401, "invalid_credentials", None);
    assert_eq!(login(&stack, &email, new_password).await.status, 200);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let session = login(&stack, &email, PASSWORD).await;
    assert_eq!(get_me(&stack, &session.body["access_token"]).await.status, 200);
    let logout = post(&stack, "/auth/logout", json!({"refresh_token": session.body["refresh_token"]})).await;
    assert_eq!(logout.status, 204);
    refresh(&stack, &session.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    // The access token is unexpired, but its session is gone: /me checks.
    get_me(&stack, &session.body["access_token"]).await.assert_problem(401, "session_ended", None);
    // Unknown tokens get the same answer.
    assert_eq!(post(&stack, "/auth/logout", json!({"refresh_token": "nope"})).await.status, 204);
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_of_the_user() {
    let stack = Stack::new().await;
    let email = address();
    accounts::bootstrap_admin(&stack.table(), "system:test", &email, PASSWORD, now()).await.unwrap();
    let (here, there, phone) = (
        login(&stack, &email, PASSWORD).await,
        login(&stack, &email, PASSWORD).await,
        login(&stack, &email, PASSWORD).await,
    );
    let list_users = |session: &Reply| {
        let call = Call::new("GET", "/admin/users").token(session.body["access_token"].as_str().unwrap());
        async { reply(admin_users::list(&stack.access(), call.build()).await) }
    };
    let logout = |session: &Reply, everywhere: bool| {
        let body = json!({"refresh_token": session.body["refresh_token"], "everywhere": everywhere});
        post(&stack, "/auth/logout", body)
    };

    // `everywhere: false` is the plain logout: the other sessions stay.
    assert_eq!(logout(&here, false).await.status, 204);
    refresh(&stack, &here.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    assert_eq!(list_users(&there).await.status, 200);
    let there_next = refresh(&stack, &there.body["refresh_token"]).await;
    assert_eq!(there_next.status, 200, "{}", there_next.body);

    // Everywhere, from one device: the other's refresh token is refused, and its
    // unexpired staff access token is refused at once (staff routes check the session).
    assert_eq!(logout(&phone, true).await.status, 204);
    refresh(&stack, &there_next.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    list_users(&there_next).await.assert_problem(401, "session_ended", None);
    get_me(&stack, &phone.body["access_token"]).await.assert_problem(401, "session_ended", None);
    let user = stack
        .items_with_pk("USER#")
        .await
        .into_iter()
        .find(|u| u.get("email").is_some_and(|e| e.as_s().is_ok_and(|e| *e == email)))
        .unwrap();
    assert_eq!(user["session_epoch"].as_n().unwrap(), "1", "by the user's epoch");

    // The same answer for an unknown token; a new sign-in works.
    assert_eq!(post(&stack, "/auth/logout", json!({"refresh_token": "nope", "everywhere": true})).await.status, 204);
    let bad = post(&stack, "/auth/logout", json!({"refresh_token": "nope", "everywhere": "yes"})).await;
    bad.assert_problem(400, "malformed_body", Some("everywhere"));
    assert_eq!(list_users(&login(&stack, &email, PASSWORD).await).await.status, 200);
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let here = login(&stack, &email, PASSWORD).await;
    let elsewhere = login(&stack, &email, PASSWORD).await;
    let access = here.body["access_token"].as_str().unwrap().to_owned();
    let patch = |body: Value| {
        let call = Call::new("PATCH", "/me").token(&access).json(body);
        async { reply(me::update(&stack.access(), call.build()).await) }
    };
    patch(json!({"new_password": "brand-new-pass-77"})).await.assert_problem(
        422,
        "validation_failed",
        Some("current_password"),
    );
    patch(json!({"new_password": "brand-new-pass-77", "current_password": "wrong-one-123"})).await.assert_problem(
        403,
        "wrong_password",
        Some("current_password"),
    );
    let changed =
        patch(json!({"name": "Ann", "new_password": "brand-new-pass-77", "current_password": PASSWORD})).await;
    assert_eq!((changed.status, changed.body["name"].as_str()), (200, Some("Ann")), "{}", changed.body);

    refresh(&stack, &elsewhere.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    assert_eq!(refresh(&stack, &here.body["refresh_token"]).await.status, 200);
    assert_eq!(login(&stack, &email, "brand-new-pass-77").await.status, 200);
}

#[tokio::test]
async fn login_is_limited_per_account_and_source_and_recovers_after_the_window() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let attempt = |ip: &str, password: &str| {
        Call::new("POST", "/auth/login").source_ip(ip).json(json!({"email": email, "password": password}))
    };
    for _ in 0..LOGIN_PER_ACCOUNT_AND_IP.max {
        let guess = post_call(&stack, "/auth/login", attempt("192.0.2.66", "guess-123456")).await;
        guess.assert_problem(401, "invalid_credentials", None);
    }
    // That source is limited, even with the right password...
    let blocked = post_call(&stack, "/auth/login", attempt("192.0.2.66", PASSWORD)).await;
    blocked.assert_problem(429, "rate_limited", None);
    let retry_after: i64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=LOGIN_PER_ACCOUNT_AND_IP.window_seconds).contains(&retry_after));
    // ...but the owner signing in from elsewhere is not.
    assert_eq!(post_call(&stack, "/auth/login", attempt("198.51.100.7", PASSWORD)).await.status, 200);

    // The same use case one window later (the counters are real items; only the
    // clock is moved).
    let later = now() + time::Duration::seconds(LOGIN_PER_ACCOUNT_AND_IP.window_seconds);
    let sign_in = stack.sign_in();
    let credentials = accounts::Credentials { email: email.clone(), password: PASSWORD.into() };
    accounts::login(&stack.table(), &sign_in.issuer, credentials, "192.0.2.66", later).await.expect("recovered");
}

#[tokio::test]
async fn signup_is_rate_limited_per_source_address() {
    let stack = Stack::new().await;
    let ip = "203.0.113.9";
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let call =
            Call::new("POST", "/auth/signup").source_ip(ip).json(json!({"email": address(), "password": PASSWORD}));
        statuses.push(post_call(&stack, "/auth/signup", call).await.status);
    }
    assert_eq!(statuses[..10], [202; 10]);
    assert_eq!(statuses[10], 429);
    assert_eq!(stack.items_with_pk("USER#").await.len(), 10, "the refused sign-up wrote nothing");
}

async fn make_admin(stack: &Stack) -> Value {
    let email = address();
    let (_, created) = accounts::bootstrap_admin(&stack.table(), "system:test", &email, PASSWORD, now()).await.unwrap();
    assert!(created);
    login(stack, &email, PASSWORD).await.body["access_token"].clone()
}

async fn admin_patch(stack: &Stack, admin: &Value, id: &str, body: Value) -> Reply {
    let call = Call::new("PATCH", &format!("/admin/users/{id}"))
        .path_param("id", id)
        .token(admin.as_str().unwrap())
        .json(body);
    reply(admin_users::update(&stack.access(), call.build()).await)
}

#[tokio::test]
async fn admins_change_roles_and_disable_users_with_an_audit_trail() {
    let stack = Stack::new().await;
    let admin = make_admin(&stack).await;
    let email = verified_user(&stack).await;
    let session = login(&stack, &email, PASSWORD).await;
    let id = get_me(&stack, &session.body["access_token"]).await.body["id"].as_str().unwrap().to_owned();

    // Customers cannot use the admin API.
    let customer_call = Call::new("GET", "/admin/users").token(session.body["access_token"].as_str().unwrap());
    reply(admin_users::list(&stack.access(), customer_call.build()).await).assert_problem(403, "forbidden", None);

    // Promote to staff: sessions that carry the old role end (issue 14, item 7),
    // so the user signs in again and the new token carries staff.
    let promoted = admin_patch(&stack, &admin, &id, json!({"role": "staff"})).await;
    assert_eq!(promoted.body["role"], "staff", "{}", promoted.body);
    refresh(&stack, &session.body["refresh_token"]).await.assert_problem(401, "invalid_refresh_token", None);
    get_me(&stack, &session.body["access_token"]).await.assert_problem(401, "session_ended", None);
    let refreshed = login(&stack, &email, PASSWORD).await;
    let staff_token = refreshed.body["access_token"].as_str().unwrap().to_owned();
    let product = json!({"sku": "TEE-1", "name": "Tee", "price": {"amount": 1000, "currency": "EUR"}, "stock": 1});
    let created = reply(
        products::create(&stack.catalog(), Call::new("POST", "/products").token(&staff_token).json(product).build())
            .await,
    );
    assert_eq!(created.status, 201, "{}", created.body);

    // Disable: sign-in and refresh both refused.
    let disabled = admin_patch(&stack, &admin, &id, json!({"disabled": true})).await;
    assert_eq!(disabled.body["disabled"], true);
    login(&stack, &email, PASSWORD).await.assert_problem(403, "account_disabled", None);
    refresh(&stack, &refreshed.body["refresh_token"]).await.assert_problem(403, "account_disabled", None);

    let audit = stack.items_with_pk("AUDIT#").await;
    let changes: Vec<(&str, &str)> =
        audit.iter().map(|a| (a["action"].as_s().unwrap().as_str(), a["after"].as_s().unwrap().as_str())).collect();
    assert_eq!(audit.len(), 3, "{changes:?}"); // the admin's creation, promotion, disabling
    assert!(changes.iter().any(|(_, after)| after.contains(r#""role":"staff""#)));
    assert!(audit.iter().all(|a| a.contains_key("before") && a.contains_key("actor") && a.contains_key("at")));

    // An admin cannot lock themselves out; a stale If-Match is refused.
    let me_id = get_me(&stack, &admin).await.body["id"].as_str().unwrap().to_owned();
    admin_patch(&stack, &admin, &me_id, json!({"role": "customer"})).await.assert_problem(
        409,
        "cannot_change_self",
        None,
    );
    let call = Call::new("PATCH", &format!("/admin/users/{id}"))
        .path_param("id", &id)
        .token(admin.as_str().unwrap())
        .header("if-match", "\"1\"")
        .json(json!({"disabled": false}));
    reply(admin_users::update(&stack.access(), call.build()).await).assert_problem(412, "version_mismatch", None);
}

#[tokio::test]
async fn admins_page_through_users() {
    let stack = Stack::new().await;
    let admin = make_admin(&stack).await;
    for _ in 0..4 {
        post(&stack, "/auth/signup", json!({"email": address(), "password": PASSWORD})).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "2")];
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let call = Call::new("GET", "/admin/users").query(&query).token(admin.as_str().unwrap());
        let page = reply(admin_users::list(&stack.access(), call.build()).await);
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let call = Call::new("GET", "/admin/users").query(&[("cursor", "forged")]).token(admin.as_str().unwrap());
    reply(admin_users::list(&stack.access(), call.build()).await).assert_problem(400, "invalid_query", Some("cursor"));
}

#[tokio::test]
async fn tampered_and_foreign_tokens_are_refused() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let access = login(&stack, &email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let mut tampered = access.clone();
    tampered.pop();
    for token in [tampered.as_str(), "abc.def.ghi", "eyJhbGciOiJub25lIn0.e30."] {
        let call = Call::new("GET", "/me").token(token);
        reply(me::get(&stack.access(), call.build()).await).assert_problem(401, "unauthorized", None);
    }
}

#[tokio::test]
async fn the_email_job_sends_each_event_once() {
    let stack = Stack::new().await;
    let email = address();
    post(&stack, "/auth/signup", json!({"email": email, "password": PASSWORD})).await;
    let outbox = stack.items_with_pk("OUTBOX#").await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["event_type"].as_s().unwrap(), "user.signed_up");
    let event: Event = serde_json::from_str(outbox[0]["payload"].as_s().unwrap()).unwrap();
    let links = Links {
        shop_name: "Test shop".into(),
        storefront_url: "https://shop.test".into(),
        staff_email: None,
        cart_reminders: false,
    };
    let mailer = Ses::new(&stack.sdk, "shop@tillbox.local");
    let first =
        notifications::deliver(&stack.table(), &mailer, (&links, &stack.order_links()), &event, now()).await.unwrap();
    let second =
        notifications::deliver(&stack.table(), &mailer, (&links, &stack.order_links()), &event, now()).await.unwrap();
    assert_eq!((first, second), (Outcome::Sent, Outcome::AlreadySent));
    let emails = stack.emails_to(&email);
    assert_eq!(emails.len(), 1);
    assert!(emails[0].1.contains("https://shop.test/verify-email?token="));
    assert_eq!(stack.items_with_pk("TOKEN#").await.len(), 1, "one verification token, stored hashed");
}

#[tokio::test]
async fn bootstrap_promotes_an_existing_account() {
    let stack = Stack::new().await;
    let email = verified_user(&stack).await;
    let (user, created) = accounts::bootstrap_admin(&stack.table(), "system:test", &email, "", now()).await.unwrap();
    assert_eq!((user.role, created), (Role::Admin, false));
    let token = login(&stack, &email, PASSWORD).await.body["access_token"].clone();
    assert_eq!(get_me(&stack, &token).await.body["role"], "admin");
}

#[tokio::test]
async fn an_overlong_email_is_refused_before_it_reaches_a_key() {
    let stack = Stack::new().await;
    let long = format!("{}@example.com", "a".repeat(3000));
    login(&stack, &long, PASSWORD).await.assert_problem(422, "validation_failed", Some("email"));
    let forgot = post(&stack, "/auth/password/forgot", json!({"email": long})).await;
    assert_eq!(forgot.status / 100, 4, "{}", forgot.body);
    let signup = post(&stack, "/auth/signup", json!({"email": long, "password": PASSWORD})).await;
    signup.assert_problem(422, "validation_failed", Some("email"));
}
