//! Accounts: sign-up, verification, sign-in, refresh-token rotation, password
//! changes and resets, and what admins may do to other users, with the e-mails
//! the notification use case sends for each. `tests/accounts.rs` runs the same
//! through the handlers, DynamoDB and SES.

use super::{NOW, run, who};
use crate::memory::MemoryShop;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tillbox::app::accounts::{self, AccountsError, Credentials, ProfileChanges, SignedIn, UserChanges};
use tillbox::app::error::CommonError;
use tillbox::app::notifications::{self, Links};
use tillbox::domain::access_token::{TokenAudience, TokenIssuer, generate_key};
use tillbox::domain::rate_limit::{LOGIN_FAILURES_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_IP};
use tillbox::domain::{Principal, Role, Timestamp, User};
use time::Duration;

const IP: &str = "192.0.2.1";
const PASSWORD: &str = "correct horse battery";

fn credentials(email: &str, password: &str) -> Credentials {
    Credentials { email: email.into(), password: password.into() }
}

fn keys() -> TokenIssuer {
    let audience = TokenAudience { issuer: "tillbox-test".into(), audience: "tillbox-api".into() };
    TokenIssuer::from_signing_key(&generate_key("k1").0.to_json(), audience).unwrap()
}

/// Runs the e-mail job over every event not yet handled, as the fan-out would.
fn send_mail(shop: &MemoryShop) {
    send_mail_at(shop, NOW);
}

fn send_mail_at(shop: &MemoryShop, now: Timestamp) {
    let links = Links {
        shop_name: "Tillbox".into(),
        storefront_url: "https://shop.example".into(),
        staff_email: None,
        cart_reminders: false,
    };
    let events = shop.events.borrow().clone();
    for event in events {
        run(notifications::deliver(shop, shop, (&links, &crate::order_links().0), &event, now)).unwrap();
    }
}

/// The token in the link of the last e-mail to `address`.
fn token_mailed_to(shop: &MemoryShop, address: &str) -> String {
    let mail = shop.mail.borrow();
    let (_, last) = mail.iter().rev().find(|(to, _)| to.as_str() == address).expect("an e-mail was sent");
    let (_, rest) = last.text.split_once("?token=").expect("the e-mail carries a link with a token");
    rest.split_whitespace().next().unwrap().to_owned()
}

/// Signs up, verifies from the e-mailed link and signs in.
fn verified(shop: &MemoryShop, issuer: &TokenIssuer, address: &str) -> (User, SignedIn) {
    run(accounts::signup(shop, credentials(address, PASSWORD), IP, NOW)).unwrap();
    send_mail(shop);
    run(accounts::verify_email(shop, &token_mailed_to(shop, address), NOW)).unwrap();
    let signed_in = run(accounts::login(shop, issuer, credentials(address, PASSWORD), IP, NOW)).unwrap();
    (shop.user_by_email(address).unwrap(), signed_in)
}

/// The caller an access token names. Its signature and expiry are the verifier's
/// business (unit-tested in `domain::access_token`, against the real clock); here
/// tokens are issued at the fixed `NOW`.
fn principal_of(signed_in: &SignedIn) -> Principal {
    let payload = signed_in.access_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    Principal {
        subject: claims["sub"].as_str().unwrap().into(),
        role: serde_json::from_value(claims["role"].clone()).unwrap(),
        session: claims["sid"].as_str().map(Into::into),
    }
}

#[test]
fn sign_up_verify_sign_in_and_a_replayed_refresh_token_ends_the_session() {
    let shop = MemoryShop::default();
    let issuer = keys();
    run(accounts::signup(&shop, credentials("Ann@Example.com", PASSWORD), IP, NOW)).unwrap();
    let before = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW));
    assert!(matches!(before, Err(AccountsError::EmailNotVerified)), "{before:?}");

    send_mail(&shop);
    assert_eq!(shop.subjects_to("ann@example.com").len(), 1, "one verification e-mail, to the normalised address");
    let token = token_mailed_to(&shop, "ann@example.com");
    assert!(run(accounts::verify_email(&shop, &token, NOW)).unwrap().email_verified);
    let spent = run(accounts::verify_email(&shop, &token, NOW));
    assert!(matches!(spent, Err(AccountsError::InvalidToken)), "a verification link works once");

    let first = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW)).unwrap();
    let me = principal_of(&first);
    assert_eq!((me.role, me.subject), (Role::Customer, shop.user_by_email("ann@example.com").unwrap().id.to_string()));

    let second = run(accounts::refresh(&shop, &issuer, &first.refresh_token, NOW)).unwrap();
    let replayed = run(accounts::refresh(&shop, &issuer, &first.refresh_token, NOW));
    assert!(matches!(replayed, Err(AccountsError::RefreshTokenReused)), "{replayed:?}");
    let after = run(accounts::refresh(&shop, &issuer, &second.refresh_token, NOW));
    assert!(matches!(after, Err(AccountsError::InvalidRefreshToken)), "the replay revoked the whole session");
}

#[test]
fn a_repeated_sign_up_creates_nothing_and_tells_the_owner() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (owner, _) = verified(&shop, &issuer, "ann@example.com");
    run(accounts::signup(&shop, credentials("ANN@example.com", "another password 2"), IP, NOW)).unwrap();
    send_mail(&shop);
    assert_eq!(shop.users.borrow().len(), 1);
    assert_eq!(shop.user_by_email("ann@example.com").unwrap().password_hash, owner.password_hash);
    let subjects = shop.subjects_to("ann@example.com");
    assert_eq!(subjects.len(), 2);
    assert_ne!(subjects[0], subjects[1], "the second e-mail says the account exists, not 'verify'");
    let refused = run(accounts::login(&shop, &issuer, credentials("ann@example.com", "another password 2"), IP, NOW));
    assert!(matches!(refused, Err(AccountsError::InvalidCredentials)));
}

#[test]
fn repeated_sign_ups_mail_the_owner_at_most_three_times_a_day() {
    let shop = MemoryShop::default();
    let issuer = keys();
    verified(&shop, &issuer, "ann@example.com");
    for i in 0..10 {
        let ip = format!("192.0.2.{i}");
        run(accounts::signup(&shop, credentials("ann@example.com", "another password 2"), &ip, NOW)).unwrap();
    }
    send_mail(&shop);
    assert_eq!(shop.subjects_to("ann@example.com").len(), 1 + 3, "the verification, then three notices");
    let tomorrow = NOW + Duration::days(1);
    run(accounts::signup(&shop, credentials("ann@example.com", "another password 2"), IP, tomorrow)).unwrap();
    send_mail(&shop);
    assert_eq!(shop.subjects_to("ann@example.com").len(), 5, "a new day, a new notice");
}

#[test]
fn bad_sign_up_input_names_every_field_and_writes_nothing() {
    let shop = MemoryShop::default();
    let refused = run(accounts::signup(&shop, credentials("not-an-address", "password"), IP, NOW)).unwrap_err();
    let AccountsError::Common(CommonError::Invalid(invalid)) = refused else { panic!("{refused:?}") };
    let fields: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "password"]);
    assert!(shop.users.borrow().is_empty());
    assert!(shop.events.borrow().is_empty());
}

#[test]
fn unknown_addresses_and_wrong_passwords_look_the_same_and_guessing_is_limited_per_account_and_source() {
    let shop = MemoryShop::default();
    let issuer = keys();
    verified(&shop, &issuer, "ann@example.com");
    let unknown = run(accounts::login(&shop, &issuer, credentials("nobody@example.com", PASSWORD), IP, NOW));
    assert!(matches!(unknown, Err(AccountsError::InvalidCredentials)));

    let window = Duration::seconds(LOGIN_PER_ACCOUNT_AND_IP.window_seconds);
    // One sign-in above already counted against the account from this source.
    for attempt in 2..=LOGIN_PER_ACCOUNT_AND_IP.max {
        let wrong = run(accounts::login(&shop, &issuer, credentials("ann@example.com", "wrong"), IP, NOW));
        assert!(matches!(wrong, Err(AccountsError::InvalidCredentials)), "attempt {attempt}: {wrong:?}");
    }
    let limited = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW));
    assert!(matches!(limited, Err(AccountsError::RateLimited { retry_after }) if retry_after > 0), "{limited:?}");
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), "198.51.100.9", NOW))
        .expect("the owner elsewhere is not locked out by one source's guesses");
    let later: Timestamp = NOW + window;
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, later)).expect("a new window");
}

#[test]
fn only_a_distributed_attack_at_the_ceiling_makes_the_right_password_wait() {
    let shop = MemoryShop::default();
    let issuer = keys();
    verified(&shop, &issuer, "ann@example.com");
    let ceiling = LOGIN_FAILURES_PER_ACCOUNT;
    // Failures from many sources, one below the ceiling (counted as the store counts them).
    shop.rate_hits
        .borrow_mut()
        .insert((ceiling.name, "ann@example.com".into(), ceiling.window_start(NOW)), ceiling.max - 1);
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), "198.51.100.1", NOW))
        .expect("below the ceiling the right password works");
    let wrong = run(accounts::login(&shop, &issuer, credentials("ann@example.com", "wrong"), "198.51.100.2", NOW));
    assert!(matches!(wrong, Err(AccountsError::InvalidCredentials)));
    let waits = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), "198.51.100.3", NOW));
    assert!(matches!(waits, Err(AccountsError::RateLimited { .. })), "{waits:?}");
}

#[test]
fn a_password_reset_ends_every_session_and_its_link_works_once() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (_, signed_in) = verified(&shop, &issuer, "ann@example.com");
    run(accounts::forgot_password(&shop, "nobody@example.com", IP, NOW)).unwrap();
    run(accounts::forgot_password(&shop, "ann@example.com", IP, NOW)).unwrap();
    let published = shop.events.borrow().iter().filter(|e| e.kind.name() == "user.password_reset_requested").count();
    assert_eq!(published, 2, "a known and an unknown address cost the request the same work");
    send_mail(&shop);
    assert!(shop.subjects_to("nobody@example.com").is_empty(), "no mail for an unknown address");
    let token = token_mailed_to(&shop, "ann@example.com");

    let weak = run(accounts::reset_password(&shop, &token, "short", IP, NOW));
    assert!(matches!(weak, Err(AccountsError::Common(CommonError::Invalid(_)))), "{weak:?}");
    run(accounts::reset_password(&shop, &token, "a brand new passphrase", IP, NOW)).expect("the refusal kept the link");
    let again = run(accounts::reset_password(&shop, &token, "yet another passphrase", IP, NOW));
    assert!(matches!(again, Err(AccountsError::InvalidToken)));

    let old_session = run(accounts::refresh(&shop, &issuer, &signed_in.refresh_token, NOW));
    assert!(matches!(old_session, Err(AccountsError::InvalidRefreshToken)), "{old_session:?}");
    let old_password = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW));
    assert!(matches!(old_password, Err(AccountsError::InvalidCredentials)));
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", "a brand new passphrase"), IP, NOW)).unwrap();
}

#[test]
fn changing_the_password_needs_the_current_one_and_keeps_only_this_session() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (user, here) = verified(&shop, &issuer, "ann@example.com");
    let elsewhere = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW)).unwrap();
    let me = principal_of(&here);
    let change = |current: &str| ProfileChanges {
        new_password: Some("a brand new passphrase".into()),
        current_password: Some(current.into()),
        ..ProfileChanges::default()
    };

    let wrong = run(accounts::update_me(&shop, &me, change("not it"), NOW));
    assert!(matches!(wrong, Err(AccountsError::WrongPassword)), "{wrong:?}");
    assert_eq!(shop.users.borrow()[&user.id].version, user.version, "a refused change writes nothing");
    let overlong =
        ProfileChanges { name: Some(None), current_password: Some("x".repeat(129)), ..ProfileChanges::default() };
    let overlong = run(accounts::update_me(&shop, &me, overlong, NOW));
    let Err(AccountsError::Common(CommonError::Invalid(invalid))) = overlong else { panic!("{overlong:?}") };
    assert_eq!(invalid.0[0].field, "current_password", "as long as the document allows, even with no new password");
    assert_eq!(shop.users.borrow()[&user.id].version, user.version);

    run(accounts::update_me(&shop, &me, change(PASSWORD), NOW)).unwrap();
    run(accounts::refresh(&shop, &issuer, &here.refresh_token, NOW)).expect("this session stays");
    let other = run(accounts::refresh(&shop, &issuer, &elsewhere.refresh_token, NOW));
    assert!(matches!(other, Err(AccountsError::InvalidRefreshToken)), "{other:?}");
}

#[test]
fn admins_change_other_users_with_an_audit_record_and_disabling_ends_their_sessions() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (ann, signed_in) = verified(&shop, &issuer, "ann@example.com");
    let admin_user = run(accounts::bootstrap_admin(&shop, "operator", "root@example.com", PASSWORD, NOW)).unwrap().0;
    let admin = who(Role::Admin, &admin_user.id.to_string());
    let disable = || UserChanges { disabled: Some(true), ..UserChanges::default() };

    let by_staff = run(accounts::change_user(&shop, &who(Role::Staff, "s"), ann.id, None, disable(), NOW));
    assert!(matches!(by_staff, Err(AccountsError::Common(CommonError::Forbidden { needs: Role::Admin }))));
    let itself = run(accounts::change_user(&shop, &admin, admin_user.id, None, disable(), NOW));
    assert!(matches!(itself, Err(AccountsError::CannotChangeSelf)));
    let stale = run(accounts::change_user(&shop, &admin, ann.id, Some(ann.version + 1), disable(), NOW));
    assert!(matches!(stale, Err(AccountsError::Common(CommonError::StaleVersion { .. }))), "{stale:?}");
    let audits_before = shop.audits.borrow().len();

    let disabled = run(accounts::change_user(&shop, &admin, ann.id, Some(ann.version), disable(), NOW)).unwrap();
    assert!(disabled.disabled);
    let audits = shop.audits.borrow();
    assert_eq!(audits.len(), audits_before + 1);
    assert_eq!(audits.last().unwrap().action, "user.updated");
    drop(audits);
    let refreshed = run(accounts::refresh(&shop, &issuer, &signed_in.refresh_token, NOW));
    assert!(matches!(refreshed, Err(AccountsError::AccountDisabled)), "{refreshed:?}");
    let login = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW));
    assert!(matches!(login, Err(AccountsError::AccountDisabled)));
}

#[test]
fn current_password_guesses_on_the_profile_are_limited_per_user() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (user, signed_in) = verified(&shop, &issuer, "ann@example.com");
    let me = principal_of(&signed_in);
    let change = |current: &str| ProfileChanges {
        new_password: Some("a brand new passphrase".into()),
        current_password: Some(current.into()),
        ..ProfileChanges::default()
    };
    let limit = tillbox::domain::rate_limit::PASSWORD_CHECK_PER_USER;
    for _ in 0..limit.max {
        let guess = run(accounts::update_me(&shop, &me, change("not it"), NOW));
        assert!(matches!(guess, Err(AccountsError::WrongPassword)), "{guess:?}");
    }
    let limited = run(accounts::update_me(&shop, &me, change(PASSWORD), NOW));
    assert!(matches!(limited, Err(AccountsError::RateLimited { .. })), "even the right password waits: {limited:?}");
    assert_eq!(shop.users.borrow()[&user.id].version, user.version);
    let later = NOW + time::Duration::seconds(limit.window_seconds);
    run(accounts::update_me(&shop, &me, change(PASSWORD), later)).expect("a new window recovers");
}

#[test]
fn an_access_token_stops_working_on_checked_routes_once_its_session_ends() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (ann, signed_in) = verified(&shop, &issuer, "ann@example.com");
    let live = |principal: &Principal| run(accounts::ensure_live(&shop, principal, NOW));
    let ended = |result: Result<(), AccountsError>| matches!(result, Err(AccountsError::SessionEnded));

    let token = principal_of(&signed_in);
    live(&token).expect("a fresh session is live");
    run(accounts::logout(&shop, &signed_in.refresh_token, false, NOW)).unwrap();
    assert!(ended(live(&token)), "signed out");

    let again = run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW)).unwrap();
    let token = principal_of(&again);
    live(&token).unwrap();
    let admin_user = run(accounts::bootstrap_admin(&shop, "operator", "root@example.com", PASSWORD, NOW)).unwrap().0;
    let admin = who(Role::Admin, &admin_user.id.to_string());
    let promote = UserChanges { role: Some(Role::Staff), ..UserChanges::default() };
    run(accounts::change_user(&shop, &admin, ann.id, None, promote, NOW)).unwrap();
    assert!(ended(live(&token)), "a role change ends the sessions that carry the old role");

    let operator = Principal { subject: "script".into(), role: Role::Staff, session: None };
    live(&operator).expect("operator tokens (tillbox-admin token) end only with the signing key");
}

#[test]
fn signing_out_everywhere_ends_every_session_of_the_user_and_needs_a_current_token() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let (ann, here) = verified(&shop, &issuer, "ann@example.com");
    let (_, bob) = verified(&shop, &issuer, "bob@example.com");
    let sign_in = || run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, NOW)).unwrap();
    let (elsewhere, phone, laptop) = (sign_in(), sign_in(), sign_in());
    let live = |signed_in: &SignedIn| run(accounts::ensure_live(&shop, &principal_of(signed_in), NOW));
    let refused = |signed_in: &SignedIn| {
        let refreshed = run(accounts::refresh(&shop, &issuer, &signed_in.refresh_token, NOW));
        matches!(refreshed, Err(AccountsError::InvalidRefreshToken))
            && matches!(live(signed_in), Err(AccountsError::SessionEnded))
    };

    // Without `everywhere`, only this session ends.
    run(accounts::logout(&shop, &here.refresh_token, false, NOW)).unwrap();
    assert!(refused(&here));
    live(&elsewhere).expect("another session stays");
    assert_eq!(shop.users.borrow()[&ann.id].session_epoch, ann.session_epoch, "the epoch stays");

    // A spent token cannot sign everyone out: it ends its own session, as a replay does.
    let next = run(accounts::refresh(&shop, &issuer, &elsewhere.refresh_token, NOW)).unwrap();
    run(accounts::logout(&shop, &elsewhere.refresh_token, true, NOW)).unwrap();
    assert!(refused(&next), "the spent token's session ended");
    live(&phone).expect("the others stay");
    assert_eq!(shop.users.borrow()[&ann.id].session_epoch, ann.session_epoch);

    // The latest token of a live session ends every session of its user, itself included.
    run(accounts::logout(&shop, &phone.refresh_token, true, NOW)).unwrap();
    assert!(refused(&phone));
    assert!(refused(&laptop), "every other device is signed out");
    assert_eq!(shop.users.borrow()[&ann.id].session_epoch, ann.session_epoch + 1, "by the epoch, as a password change");
    live(&bob).expect("another user's session stays");
    run(accounts::logout(&shop, "unknown", true, NOW)).expect("an unknown token is ignored");

    let again = sign_in();
    live(&again).expect("signing in again starts a live session");
    run(accounts::refresh(&shop, &issuer, &again.refresh_token, NOW)).unwrap();
}

#[test]
fn a_sign_up_ahead_of_the_owner_cannot_keep_its_password() {
    let shop = MemoryShop::default();
    let issuer = keys();
    let attacker = "attackers-chosen-pass-1";
    let owner = "owners-own-passphrase-2";
    run(accounts::signup(&shop, credentials("ann@example.com", attacker), "203.0.113.66", NOW)).unwrap();
    send_mail(&shop);
    let first_link = token_mailed_to(&shop, "ann@example.com");

    // The owner signs up too, with her own password.
    run(accounts::signup(&shop, credentials("ann@example.com", owner), IP, NOW)).unwrap();
    send_mail(&shop);
    let subjects = shop.subjects_to("ann@example.com");
    assert!(subjects[1].contains("finish creating your account"), "{subjects:?}");
    let second_link = token_mailed_to(&shop, "ann@example.com");

    let dead = run(accounts::verify_email(&shop, &first_link, NOW));
    assert!(matches!(dead, Err(AccountsError::InvalidToken)), "the first link no longer activates anything: {dead:?}");
    run(accounts::reset_password(&shop, &second_link, owner, IP, NOW)).unwrap();
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", owner), IP, NOW)).expect("the owner's password");
    let refused = run(accounts::login(&shop, &issuer, credentials("ann@example.com", attacker), "198.51.100.5", NOW));
    assert!(matches!(refused, Err(AccountsError::InvalidCredentials)), "the other one is dead: {refused:?}");
}

#[test]
fn an_account_nobody_verified_expires_after_a_day_and_its_address_is_free_again() {
    let shop = MemoryShop::default();
    let issuer = keys();
    run(accounts::signup(&shop, credentials("ann@example.com", "attackers-chosen-pass-1"), "203.0.113.66", NOW))
        .unwrap();
    let a_day_later = NOW + Duration::hours(25);
    run(accounts::signup(&shop, credentials("ann@example.com", PASSWORD), IP, a_day_later)).unwrap();
    send_mail_at(&shop, a_day_later);
    let subjects = shop.subjects_to("ann@example.com");
    assert!(subjects.last().unwrap().contains("confirm your e-mail"), "a fresh account: {subjects:?}");
    run(accounts::verify_email(&shop, &token_mailed_to(&shop, "ann@example.com"), a_day_later)).unwrap();
    run(accounts::login(&shop, &issuer, credentials("ann@example.com", PASSWORD), IP, a_day_later)).unwrap();
    let old = run(accounts::login(
        &shop,
        &issuer,
        credentials("ann@example.com", "attackers-chosen-pass-1"),
        "198.51.100.5",
        a_day_later,
    ));
    assert!(matches!(old, Err(AccountsError::InvalidCredentials)), "{old:?}");
}
