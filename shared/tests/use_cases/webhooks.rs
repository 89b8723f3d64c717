//! Outgoing webhooks: who may register what, and how deliveries are signed,
//! retried, recorded and stopped. `infra/local/tests/test_webhooks.py` runs the
//! same through the gateway, the fan-out and the job against a real receiver.

use super::{NOW, run, staff, who};
use crate::memory::MemoryShop;
use crate::memory::webhooks::ScriptedReceiver;
use tillbox::app::webhooks::deliver::Outcome;
use tillbox::app::webhooks::{self, WebhooksError};
use tillbox::domain::webhook::NewWebhookEndpoint;
use tillbox::domain::webhook::retry::{RetrySchedule, Verdict};
use tillbox::domain::{DeliveryStatus, Event, EventKind, OrderId, Principal, Role, WebhookEndpoint};
use time::Duration;

fn admin() -> Principal {
    who(Role::Admin, "admin-1")
}

fn register(
    shop: &MemoryShop,
    receiver: &ScriptedReceiver,
    url: &str,
    events: &[&str],
) -> Result<WebhookEndpoint, WebhooksError> {
    let input = NewWebhookEndpoint {
        url: url.into(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        description: "ERP".into(),
        enabled: true,
    };
    run(webhooks::create_endpoint(shop, receiver, &admin(), input, NOW))
}

fn order_paid() -> Event {
    Event::new(EventKind::OrderPaid { order_id: OrderId::generate() }, NOW)
}

/// Runs every job on the queue that is due by `now`, as the queue would hand
/// them to the job, and returns the outcomes.
fn drain(shop: &MemoryShop, receiver: &ScriptedReceiver, now: tillbox::domain::Timestamp) -> Vec<Outcome> {
    let jobs: Vec<_> = shop.webhook_queue.borrow_mut().drain(..).collect();
    jobs.into_iter()
        .map(|(job, _)| {
            let render = async |event: &Event| Ok(format!(r#"{{"type":"{}"}}"#, event.kind.name()));
            run(webhooks::deliver(shop, receiver, shop, &RetrySchedule::standard(), job, render, now)).unwrap()
        })
        .collect()
}

fn fan_out(shop: &MemoryShop, event: &Event) {
    let endpoints: Vec<_> = shop.webhook_endpoints.borrow().values().cloned().collect();
    for job in webhooks::subscribers(&endpoints, event) {
        shop.webhook_queue.borrow_mut().push((job, Duration::ZERO));
    }
}

#[test]
fn only_admins_register_public_https_endpoints_and_the_secret_is_shown_once() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver { private_hosts: vec!["internal.example.com".into()], ..Default::default() };
    let input = NewWebhookEndpoint {
        url: "https://hooks.example.com/".into(),
        events: vec!["*".into()],
        description: String::new(),
        enabled: true,
    };
    let refused = run(webhooks::create_endpoint(&shop, &receiver, &staff(), input, NOW));
    assert!(matches!(refused, Err(WebhooksError::Common(_))), "staff may not register endpoints");
    for url in ["http://169.254.169.254/", "http://10.0.0.1/", "http://[::1]/", "https://10.0.0.1/", "https://[::1]/"] {
        assert!(matches!(register(&shop, &receiver, url, &["*"]), Err(WebhooksError::Common(_))), "{url}");
    }
    let resolves_private = register(&shop, &receiver, "https://internal.example.com/hook", &["*"]);
    assert!(matches!(resolves_private, Err(WebhooksError::UnreachableUrl(_))));
    assert!(shop.webhook_endpoints.borrow().is_empty(), "nothing refused was stored");

    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["order.paid"]).unwrap();
    assert!(endpoint.secret.expose().starts_with("whsec_"));
    let audit = shop.audits.borrow().last().cloned().unwrap();
    assert_eq!(audit.action, "webhook.created");
    assert!(!audit.after.to_string().contains("whsec_"), "the audit trail never holds the secret");
}

#[test]
fn a_delivery_failing_twice_succeeds_on_the_third_attempt_with_the_same_id_and_bytes() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::answering(&[500, 503, 200]);
    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["order.paid"]).unwrap();
    let event = order_paid();
    fan_out(&shop, &event);
    fan_out(&shop, &Event::new(EventKind::OrderPlaced { order_id: OrderId::generate() }, NOW));
    assert_eq!(shop.webhook_queue.borrow().len(), 1, "only subscribed events are queued");

    assert_eq!(drain(&shop, &receiver, NOW), [Outcome::Attempted(Verdict::RetryAfter(Duration::seconds(5)))]);
    assert_eq!(shop.webhook_queue.borrow()[0].1, Duration::seconds(5));
    assert_eq!(
        drain(&shop, &receiver, NOW + Duration::seconds(5)),
        [Outcome::Attempted(Verdict::RetryAfter(Duration::minutes(5)))]
    );
    // A wait longer than the queue's 15-minute delay arrives early and waits again.
    assert_eq!(drain(&shop, &receiver, NOW + Duration::seconds(10)), [Outcome::Waiting]);
    assert_eq!(receiver.received.borrow().len(), 2, "nothing is sent before it is due");
    assert_eq!(drain(&shop, &receiver, NOW + Duration::minutes(6)), [Outcome::Attempted(Verdict::Delivered)]);
    assert!(shop.webhook_queue.borrow().is_empty());

    let received = receiver.received.borrow();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.id == event.id.to_string() && r.body == received[0].body));
    for request in received.iter() {
        assert_eq!(request.signature, endpoint.secret.sign(&request.id, request.timestamp, &request.body));
    }
    let delivery = shop.webhook_deliveries.borrow()[&(endpoint.id, event.id)].clone();
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    let statuses: Vec<_> = delivery.attempts.iter().map(|a| (a.number, a.status)).collect();
    assert_eq!(statuses, [(1, Some(500)), (2, Some(503)), (3, Some(200))]);
    assert!(shop.webhook_endpoints.borrow()[&endpoint.id].failing_since.is_none(), "a success ends the failure streak");
}

#[test]
fn a_repeated_message_sends_nothing_twice() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::default();
    register(&shop, &receiver, "https://hooks.example.com/in", &["*"]).unwrap();
    let event = order_paid();
    fan_out(&shop, &event);
    fan_out(&shop, &event);
    let outcomes = drain(&shop, &receiver, NOW);
    assert_eq!(outcomes, [Outcome::Attempted(Verdict::Delivered), Outcome::Dropped("the attempt was made already")]);
    assert_eq!(receiver.received.borrow().len(), 1);
}

#[test]
fn gone_disables_the_endpoint_and_tells_staff_and_later_attempts_send_nothing() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::answering(&[410]);
    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["*"]).unwrap();
    fan_out(&shop, &order_paid());
    assert_eq!(drain(&shop, &receiver, NOW), [Outcome::Attempted(Verdict::Gone)]);
    let stored = shop.webhook_endpoints.borrow()[&endpoint.id].clone();
    assert!(!stored.enabled);
    assert_eq!(stored.disabled_reason.as_deref(), Some("the endpoint answered 410 Gone"));
    assert_eq!(shop.event_names().last(), Some(&"webhook.endpoint_disabled"));

    fan_out(&shop, &order_paid());
    assert!(shop.webhook_queue.borrow().is_empty(), "a disabled endpoint is not fanned out to");
    let redelivered = run(webhooks::redeliver(
        &shop,
        &shop,
        &admin(),
        endpoint.id,
        shop.webhook_deliveries.borrow().values().next().unwrap().event,
        NOW,
    ));
    assert!(matches!(redelivered, Err(WebhooksError::EndpointDisabled)));
    assert_eq!(receiver.received.borrow().len(), 1);
}

#[test]
fn after_the_last_attempt_the_delivery_fails_and_five_days_of_failures_disable_the_endpoint() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::answering(&[500; 20]);
    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["*"]).unwrap();
    let first = order_paid();
    fan_out(&shop, &first);
    let mut now = NOW;
    let mut verdicts = Vec::new();
    while !shop.webhook_queue.borrow().is_empty() {
        now += Duration::hours(11);
        verdicts.extend(drain(&shop, &receiver, now));
    }
    assert_eq!(receiver.received.borrow().len(), 8, "eight attempts in all");
    assert_eq!(verdicts.last(), Some(&Outcome::Attempted(Verdict::GiveUp)));
    assert_eq!(shop.webhook_deliveries.borrow()[&(endpoint.id, first.id)].status, DeliveryStatus::Failed);
    assert!(shop.webhook_endpoints.borrow()[&endpoint.id].enabled, "failing for about 3 days is not yet 5");
    let failed: Vec<_> =
        shop.events.borrow().iter().filter(|e| e.kind.name() == "webhook.delivery_failed").cloned().collect();
    assert_eq!(failed.len(), 1, "staff are told once, when the last attempt failed");
    assert_eq!(
        failed[0].kind,
        EventKind::WebhookDeliveryFailed { endpoint_id: endpoint.id, event_id: first.id, attempts: 8 }
    );

    fan_out(&shop, &order_paid());
    drain(&shop, &receiver, NOW + Duration::days(6));
    let stored = shop.webhook_endpoints.borrow()[&endpoint.id].clone();
    assert!(!stored.enabled, "failing for over 5 days: disabled");
    assert_eq!(shop.event_names().iter().filter(|e| **e == "webhook.endpoint_disabled").count(), 1);
}

#[test]
fn during_a_rotation_both_secrets_sign_and_redelivery_sends_the_same_delivery_again() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::default();
    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["*"]).unwrap();
    let event = order_paid();
    fan_out(&shop, &event);
    drain(&shop, &receiver, NOW);
    let refused = run(webhooks::rotate_secret(&shop, &staff(), endpoint.id, NOW));
    assert!(refused.is_err(), "staff may not rotate secrets");
    let (_, new_secret) = run(webhooks::rotate_secret(&shop, &admin(), endpoint.id, NOW)).unwrap();

    let later = NOW + Duration::hours(1);
    run(webhooks::redeliver(&shop, &shop, &admin(), endpoint.id, event.id, later)).unwrap();
    let audit = shop.audits.borrow().last().cloned().unwrap();
    assert_eq!((audit.action.as_str(), audit.actor.as_str()), ("webhook.redelivered", "admin-1"));
    assert_eq!(audit.after["attempt"], 2);
    drain(&shop, &receiver, later);
    let received = receiver.received.borrow();
    assert_eq!(received.len(), 2);
    let again = &received[1];
    assert_eq!((again.id.as_str(), again.body.as_str()), (received[0].id.as_str(), received[0].body.as_str()));
    let signatures: Vec<_> = again.signature.split(' ').collect();
    assert_eq!(
        signatures,
        [
            new_secret.sign(&again.id, again.timestamp, &again.body),
            endpoint.secret.sign(&again.id, again.timestamp, &again.body)
        ]
    );
    let delivery = shop.webhook_deliveries.borrow()[&(endpoint.id, event.id)].clone();
    assert_eq!(delivery.attempts.iter().map(|a| a.number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn a_deleted_endpoint_gets_nothing_more() {
    let shop = MemoryShop::default();
    let receiver = ScriptedReceiver::default();
    let endpoint = register(&shop, &receiver, "https://hooks.example.com/in", &["*"]).unwrap();
    fan_out(&shop, &order_paid());
    run(webhooks::delete_endpoint(&shop, &admin(), endpoint.id, Some(endpoint.version), NOW)).unwrap();
    assert_eq!(drain(&shop, &receiver, NOW), [Outcome::Dropped("the endpoint was deleted")]);
    assert!(receiver.received.borrow().is_empty());
}
