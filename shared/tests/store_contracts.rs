//! The stores' contracts in the cases the API reaches only when two writers race
//! between a read and a write (versions, SKU claims, spent tokens, revoked
//! sessions, idempotency keys changing hands): each held against DynamoDB through
//! the emulator and against the in-memory fake the use-case tests rely on, so the
//! fake cannot drift from the adapter.

mod memory;
mod support;

use memory::MemoryShop;
use support::Stack;
use tillbox::app::accounts::ports::{OneTimeTokens, RateLimiter, SessionStore, UserChange, UserStore};
use tillbox::app::carts::ports::CartStore;
use tillbox::app::catalog::ports::FileStore;
use tillbox::app::catalog::ports::{ProductStore, SkuClaim};
use tillbox::app::exports::ports::{ExportFiles, ExportStore};
use tillbox::app::idempotency::{Existing, IdempotencyKey, IdempotencyRecord, IdempotencyStore, StoredResponse};
use tillbox::app::orders::PlacingStore;
use tillbox::app::orders::ports::{OrderChange, OrderStore};
use tillbox::app::payments::ports::{PaymentChange, PaymentStore, RefundRecord, RefundStore, WebhookInbox};
use tillbox::app::receipts::ports::DocumentNumbers;
use tillbox::app::stats::SalesStats;
use tillbox::app::store::StoreError;
use tillbox::domain::OrderExport;
use tillbox::domain::export::ExportRequest;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::secret::token_hash;
use tillbox::domain::stats::{CurrencySales, ProductSales, SalesCounts};
use tillbox::domain::{
    AuditRecord, Currency, Email, Event, EventKind, NewProduct, NewVariant, OneTimePurpose, OneTimeToken, OrderId,
    OrderRequest, OrderStatus, Payment, Principal, ProductChanges, ProductId, Provider, RefreshToken, Refund,
    RefundRequest, RefundStatus, Role, Session, Sku, Transition, User, VariantId,
};
use time::Duration;

/// Now, at the microsecond precision the table stores timestamps in.
fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap()
}

fn product(sku: &str) -> tillbox::domain::Product {
    let input = NewProduct::draft(sku, "Lamp", MoneyInput::new(4000, "EUR"));
    input.into_product(ProductId::generate(), time::OffsetDateTime::now_utc()).unwrap()
}

fn created(p: &tillbox::domain::Product) -> Event {
    Event::new(EventKind::ProductCreated { product_id: p.id }, now())
}

fn updated(p: &tillbox::domain::Product) -> Event {
    Event::new(EventKind::ProductUpdated { product_id: p.id }, now())
}

fn renamed(p: &tillbox::domain::Product, name: &str) -> tillbox::domain::Product {
    let changes = ProductChanges { name: Some(name.into()), ..Default::default() };
    p.apply(changes, time::OffsetDateTime::now_utc()).unwrap()
}

/// The contract every `ProductStore` keeps; run against DynamoDB and the fake.
async fn a_writer_that_lost_the_race_learns_the_current_version(store: &impl ProductStore) {
    let v1 = product("lamp");
    assert_eq!(store.insert(&v1, &created(&v1)).await.unwrap(), SkuClaim::Claimed);
    let winner = renamed(&v1, "Winner");
    store.replace(&v1, &winner, &updated(&v1)).await.unwrap();

    let loser = renamed(&v1, "Loser");
    let error = store.replace(&v1, &loser, &updated(&v1)).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionMismatch { current: 2 }), "{error:?}");
    assert_eq!(store.get(v1.id).await.unwrap().unwrap().name, "Winner", "the losing write changed nothing");
}

async fn a_taken_sku_is_refused_and_nothing_is_written(store: &impl ProductStore) {
    let first = product("desk");
    assert_eq!(store.insert(&first, &created(&first)).await.unwrap(), SkuClaim::Claimed);
    let copy = product("desk");
    assert_eq!(store.insert(&copy, &created(&copy)).await.unwrap(), SkuClaim::Taken(Sku::parse("DESK").unwrap()));
    assert!(store.get(copy.id).await.unwrap().is_none());

    let other = product("chair");
    store.insert(&other, &created(&other)).await.unwrap();
    let mut moved = renamed(&other, "Chair");
    moved.variants[0].sku = first.variants[0].sku.clone();
    assert_eq!(
        store.replace(&other, &moved, &updated(&other)).await.unwrap(),
        SkuClaim::Taken(Sku::parse("desk").unwrap())
    );
    assert_eq!(store.get(other.id).await.unwrap().unwrap().name, "Lamp", "the refused rename changed nothing");

    // A variant's new SKU is claimed and its old one released in the same write.
    let changes = ProductChanges { sku: Some("chair-1".into()), ..Default::default() };
    let resku = other.apply(changes, now()).unwrap();
    assert_eq!(store.replace(&other, &resku, &updated(&other)).await.unwrap(), SkuClaim::Claimed);
    let reused = product("chair");
    assert_eq!(store.insert(&reused, &created(&reused)).await.unwrap(), SkuClaim::Claimed, "CHAIR was released");
    let taken = product("CHAIR-1");
    assert_eq!(store.insert(&taken, &created(&taken)).await.unwrap(), SkuClaim::Taken(Sku::parse("chair-1").unwrap()));
}

async fn replacing_a_product_that_does_not_exist_is_not_found(store: &impl ProductStore) {
    let ghost = product("ghost");
    let error = store.replace(&ghost, &renamed(&ghost, "Boo"), &updated(&ghost)).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    assert!(store.get(ghost.id).await.unwrap().is_none());
}

async fn a_one_time_token_is_spent_once_and_a_stale_user_write_changes_nothing(
    store: &(impl UserStore + OneTimeTokens),
) {
    let user = User::sign_up(Email::parse("ann@example.com").unwrap(), "hash".into(), now());
    assert!(store.create(&user, None, None).await.unwrap());
    let copy = User::sign_up(Email::parse("ANN@example.com").unwrap(), "other".into(), now());
    assert!(!store.create(&copy, None, None).await.unwrap(), "one account per address");
    assert!(store.get(copy.id).await.unwrap().is_none());

    let (_, token) = OneTimeToken::issue(OneTimePurpose::VerifyEmail, &user, now());
    store.issue(&token).await.unwrap();
    let verified = user.next(now(), |u| u.email_verified = true);
    store.update(UserChange { spends: Some(&token), ..UserChange::new(&user, &verified) }).await.unwrap();
    assert!(store.find(&token.hash).await.unwrap().is_none(), "spent with the change");

    let again = verified.next(now(), |u| u.name = Some("Ann".into()));
    let spent = store.update(UserChange { spends: Some(&token), ..UserChange::new(&verified, &again) }).await;
    assert!(matches!(spent, Err(StoreError::NotFound)), "{spent:?}");
    let stale = store.update(UserChange::new(&user, &again)).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { current }) if current == verified.version), "{stale:?}");
    let stored = store.get(user.id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.name), (verified.version, None), "neither refused write changed the user");
}

fn refresh_token(session: &Session, secret: &str) -> RefreshToken {
    RefreshToken {
        hash: token_hash(secret),
        session_id: session.id,
        user_id: session.user_id,
        spent: false,
        expires_at: session.expires_at,
    }
}

async fn a_refresh_token_rotates_once_and_never_on_a_revoked_session(store: &impl SessionStore) {
    let user = User::sign_up(Email::parse("bob@example.com").unwrap(), "hash".into(), now());
    let session = Session::begin(user.id, 0, now());
    let (first, second, third) =
        (refresh_token(&session, "one"), refresh_token(&session, "two"), refresh_token(&session, "three"));
    store.start(&session, &first).await.unwrap();
    assert!(store.rotate(&first, &second).await.unwrap());
    assert!(store.find_token(&first.hash).await.unwrap().unwrap().spent);
    assert!(!store.rotate(&first, &third).await.unwrap(), "a spent token does not rotate twice");
    assert!(store.find_token(&third.hash).await.unwrap().is_none(), "and its successor was not stored");

    store.revoke(session.id).await.unwrap();
    store.revoke(session.id).await.unwrap();
    assert!(store.session(session.id).await.unwrap().unwrap().revoked);
    assert!(!store.rotate(&second, &third).await.unwrap(), "a revoked session does not rotate");
}

async fn an_idempotency_key_is_held_replayed_and_freed_only_by_its_holder(store: &impl IdempotencyStore) {
    let key = IdempotencyKey::parse("key-1").unwrap();
    let first = IdempotencyRecord::start("ann", key.clone(), "hash-a".into(), now() + Duration::seconds(30), now());
    assert!(store.acquire(&first, now()).await.unwrap().is_none(), "a free key is taken");
    let held = store.acquire(&first, now()).await.unwrap().expect("a held key is not taken twice");
    assert_eq!(held.meet("hash-a"), Existing::InProgress);

    let other = IdempotencyRecord::start("bob", key.clone(), "hash-b".into(), now() + Duration::seconds(30), now());
    assert!(store.acquire(&other, now()).await.unwrap().is_none(), "keys are per caller");

    let response = StoredResponse { status: 201, headers: vec![("location".into(), "/x".into())], body: "{}".into() };
    store.complete(&first, &response).await.unwrap();
    let replay = store.acquire(&first, now()).await.unwrap().unwrap();
    assert_eq!(replay.meet("hash-a"), Existing::Replay(response));
    assert_eq!(replay.meet("hash-x"), Existing::Mismatch);
    store.release(&first).await.unwrap();
    assert!(store.acquire(&first, now()).await.unwrap().is_some(), "a completed key is not released");

    store.release(&other).await.unwrap();
    assert!(store.acquire(&other, now()).await.unwrap().is_none(), "a failed attempt frees its key");

    let dead = IdempotencyRecord::start("cid", key, "hash-c".into(), now() - Duration::seconds(1), now());
    assert!(store.acquire(&dead, now() - Duration::seconds(2)).await.unwrap().is_none());
    assert!(store.acquire(&dead, now()).await.unwrap().is_none(), "a dead attempt's key is taken over");
}

async fn a_payment_opens_once_and_changes_only_at_its_version(store: &impl PaymentStore) {
    let eur = Currency::parse("EUR").unwrap();
    let order_id = OrderId::generate();
    let open = Payment::open(order_id, 1, Provider::Stripe, "pi_1".into(), 2400, eur, now());
    assert!(store.open(&open).await.unwrap());
    let second = Payment::open(order_id, 1, Provider::Stripe, "pi_2".into(), 2400, eur, now());
    assert!(!store.open(&second).await.unwrap(), "one payment per attempt");
    assert_eq!(store.payment(order_id, 1).await.unwrap().unwrap(), open);

    let mismatch = open.succeeded(100, "usd", now());
    store
        .change(PaymentChange { previous: &open, next: &mismatch, order: None, audit: None, event: None })
        .await
        .unwrap();
    assert_eq!(store.payment(order_id, 1).await.unwrap().unwrap(), mismatch, "every status round-trips");
    let declined = open.failed("Your card was declined.", now());
    let stale =
        store.change(PaymentChange { previous: &open, next: &declined, order: None, audit: None, event: None }).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { current: 2 })), "{stale:?}");
    let refunded = mismatch.refunded_in_full(now());
    let write = PaymentChange { previous: &mismatch, next: &refunded, order: None, audit: None, event: None };
    store.change(write).await.unwrap();
    assert_eq!(store.payment(order_id, 1).await.unwrap().unwrap().refundable(), 0);
    assert!(store.payment(order_id, 2).await.unwrap().is_none());

    let other = Payment::open(OrderId::generate(), 1, Provider::Stripe, "pi_3".into(), 2400, eur, now());
    assert!(store.open(&other).await.unwrap());
    let cancelled = other.cancelled(now());
    store
        .change(PaymentChange { previous: &other, next: &cancelled, order: None, audit: None, event: None })
        .await
        .unwrap();
    assert_eq!(store.payment(other.order_id, 1).await.unwrap().unwrap(), cancelled, "a cancelled payment round-trips");
}

/// A dispute holds the order in the same write as the payment, or neither.
async fn a_dispute_holds_the_payment_and_its_order_together(store: &(impl PlacingStore + PaymentStore)) {
    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = format!("D-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let request = OrderRequest::parse(&[(mug.id, None, 1)], None).unwrap();
    let policy = tillbox::app::orders::OrderPolicy::TEMPLATE_DEFAULTS;
    let order = tillbox::app::orders::place(store, &policy, &staff, request, now()).await.unwrap();
    let open = Payment::open(order.id, 1, Provider::Stripe, "pi_d".into(), 1200, order.currency, now());
    assert!(store.open(&open).await.unwrap());
    let paid = open.succeeded(1200, "EUR", now());
    PaymentStore::change(store, PaymentChange { previous: &open, next: &paid, order: None, audit: None, event: None })
        .await
        .unwrap();

    let disputed = paid.disputed(now());
    let held = order.held_for_dispute(true, now());
    let stale_order = tillbox::domain::Order { version: order.version + 7, ..order.clone() };
    let stale = PaymentChange {
        previous: &paid,
        next: &disputed,
        order: Some((&stale_order, &held)),
        audit: None,
        event: None,
    };
    assert!(matches!(PaymentStore::change(store, stale).await, Err(StoreError::VersionMismatch { .. })));
    assert!(!store.payment(order.id, 1).await.unwrap().unwrap().disputed, "a stale order writes no payment either");

    let write =
        PaymentChange { previous: &paid, next: &disputed, order: Some((&order, &held)), audit: None, event: None };
    PaymentStore::change(store, write).await.unwrap();
    assert!(store.payment(order.id, 1).await.unwrap().unwrap().disputed);
    assert_eq!(OrderStore::get(store, order.id).await.unwrap().unwrap(), held, "the held order round-trips");
    let lost = disputed.dispute_closed(700, now());
    PaymentStore::change(
        store,
        PaymentChange { previous: &disputed, next: &lost, order: None, audit: None, event: None },
    )
    .await
    .unwrap();
    let stored = store.payment(order.id, 1).await.unwrap().unwrap();
    assert_eq!((stored.disputed, stored.charged_back, stored.refundable()), (false, 700, 500));
}

async fn a_webhook_event_is_remembered_once_queued(store: &impl WebhookInbox) {
    let id = format!("evt_{}", OrderId::generate());
    assert!(!store.seen(Provider::Stripe, &id, now()).await.unwrap());
    store.remember(Provider::Stripe, &id, now()).await.unwrap();
    store.remember(Provider::Stripe, &id, now()).await.unwrap();
    assert!(store.seen(Provider::Stripe, &id, now()).await.unwrap(), "remembered, however often");
    assert!(!store.seen(Provider::Stripe, &format!("{id}-other"), now()).await.unwrap());
}

async fn a_refund_is_recorded_once_at_the_orders_version_with_its_restock(store: &(impl PlacingStore + RefundStore)) {
    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = format!("R-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let request = OrderRequest::parse(&[(mug.id, None, 2)], None).unwrap();
    let placed = tillbox::app::orders::place(
        store,
        &tillbox::app::orders::OrderPolicy::TEMPLATE_DEFAULTS,
        &staff,
        request,
        now(),
    )
    .await
    .unwrap();
    let order = tillbox::app::orders::change(store, &staff, placed.id, Transition::MarkPaid, now()).await.unwrap();

    let request = RefundRequest::parse(500, "one broken", &[(mug.id, None, 1)]).unwrap();
    let next = request.apply(&order, now()).unwrap();
    let refund = Refund::pending(Refund::id_for(order.id, "key-1"), &order, &request, "staff-1", now());
    let audit =
        AuditRecord::new("staff-1", "order.refunded", "order", serde_json::json!({}), serde_json::json!({}), now());
    let record = RefundRecord { previous: &order, next: &next, refund: &refund, audit: &audit, event: None };
    store.record_refund(record).await.unwrap();
    assert_eq!(ProductStore::get(store, mug.id).await.unwrap().unwrap().variants[0].stock, 4, "2 sold, 1 back");
    assert_eq!(store.refund(order.id, &refund.id).await.unwrap().unwrap(), refund, "a refund round-trips");
    let stored = OrderStore::get(store, order.id).await.unwrap().unwrap();
    assert_eq!((stored.refunded, stored.status, stored.lines[0].restocked), (500, OrderStatus::PartiallyRefunded, 1));

    let other = Refund::pending(Refund::id_for(order.id, "key-2"), &order, &request, "staff-1", now());
    let stale = store.record_refund(RefundRecord { refund: &other, ..record }).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { .. })), "{stale:?}");
    assert!(
        store.refund(order.id, &other.id).await.unwrap().is_none(),
        "a refund against a stale order writes nothing"
    );
    assert_eq!(ProductStore::get(store, mug.id).await.unwrap().unwrap().variants[0].stock, 4, "and restocks nothing");

    let done = refund.succeeded(now());
    let event = Event::new(
        EventKind::OrderRefunded { order_id: order.id, amount: 500, surplus: false, refund_id: None },
        now(),
    );
    assert!(store.complete_refund(&done, &event).await.unwrap());
    assert!(!store.complete_refund(&done, &event).await.unwrap(), "completed once");
    assert_eq!(store.refund(order.id, &refund.id).await.unwrap().unwrap().status, RefundStatus::Succeeded);
}

/// A tee in S and M: stock per variant, both in one order (one write to the
/// product item), one refused for want of its own stock, both given back.
async fn variants_of_one_product_keep_their_own_stock_through_orders_cancels_and_refunds(
    store: &(impl PlacingStore + RefundStore),
) {
    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = |size: &str| format!("V{size}-{}", &OrderId::generate().to_string()[..8]);
    let sized = |size: &str, stock| NewVariant {
        options: vec![("Size".into(), size.into())],
        ..NewVariant::sole(sku(size), stock, 10)
    };
    let input = NewProduct {
        options: vec![("Size".into(), vec!["S".into(), "M".into()])],
        variants: vec![sized("S", 3), sized("M", 5)],
        ..NewProduct::active("unused", "Tee", MoneyInput::new(2500, "EUR"), 0)
    };
    let tee = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let (small, medium) = (tee.variants[0].id, tee.variants[1].id);
    let stock = async || {
        let stored = ProductStore::get(store, tee.id).await.unwrap().unwrap();
        (stored.variant(small).unwrap().stock, stored.variant(medium).unwrap().stock)
    };
    let policy = tillbox::app::orders::OrderPolicy { max_open_orders: 10, orders_per_hour: 100 };
    let both = OrderRequest::parse(&[(tee.id, Some(small), 2), (tee.id, Some(medium), 1)], None).unwrap();
    let order = tillbox::app::orders::place(store, &policy, &staff, both, now()).await.unwrap();
    assert_eq!(stock().await, (1, 4));

    let more = OrderRequest::parse(&[(tee.id, Some(medium), 1), (tee.id, Some(small), 2)], None).unwrap();
    let refused = tillbox::app::orders::place(store, &policy, &staff, more, now()).await.unwrap_err();
    assert!(
        matches!(refused, tillbox::app::orders::OrdersError::OutOfStock { variant_id, available: 1, .. } if variant_id == small),
        "{refused:?}"
    );
    assert_eq!(stock().await, (1, 4), "the refused order took nothing, not even M");

    let cancel = Transition::Cancel(tillbox::domain::CancelReason::Staff);
    tillbox::app::orders::change(store, &staff, order.id, cancel, now()).await.unwrap();
    assert_eq!(stock().await, (3, 5), "a cancel gives each variant back its own");

    let again = OrderRequest::parse(&[(tee.id, Some(small), 1), (tee.id, Some(medium), 2)], None).unwrap();
    let placed = tillbox::app::orders::place(store, &policy, &staff, again, now()).await.unwrap();
    let paid = tillbox::app::orders::change(store, &staff, placed.id, Transition::MarkPaid, now()).await.unwrap();
    let unnamed = RefundRequest::parse(100, "x", &[(tee.id, None, 1)]).unwrap();
    let Err(tillbox::domain::RefundRefused::Restock(invalid)) = unnamed.apply(&paid, now()) else {
        panic!("two lines of one product need the variant named")
    };
    assert_eq!(invalid.0[0].field, "restock[0].product_id");
    let request = RefundRequest::parse(2500, "one returned", &[(tee.id, Some(medium), 1)]).unwrap();
    let next = request.apply(&paid, now()).unwrap();
    let refund = Refund::pending(Refund::id_for(paid.id, "v-1"), &paid, &request, "staff-1", now());
    let audit =
        AuditRecord::new("staff-1", "order.refunded", "order", serde_json::json!({}), serde_json::json!({}), now());
    store
        .record_refund(RefundRecord { previous: &paid, next: &next, refund: &refund, audit: &audit, event: None })
        .await
        .unwrap();
    assert_eq!(stock().await, (2, 4), "the refund restocked M only");
    assert_eq!(store.refund(paid.id, &refund.id).await.unwrap().unwrap().restock[0].variant_id, medium);
}

/// A customer has one open cart however many tabs create one; carts change only
/// at their version; an order placed from a cart closes it or is not placed.
async fn a_cart_is_written_at_its_version_and_placed_once(store: &(impl CartStore + PlacingStore)) {
    use tillbox::domain::{Cart, CartHolder, CartId, CartLifetime};
    let life = CartLifetime::TEMPLATE_DEFAULTS;
    let customer = format!("cart-{}", OrderId::generate());
    let holder = || CartHolder::Customer(customer.clone());
    let first = Cart::new(CartId::generate(), holder(), Email::parse("c@example.com").ok(), &life, now());
    let second = Cart::new(CartId::generate(), holder(), None, &life, now());
    assert!(store.create_cart(&first, None).await.unwrap());
    assert!(!store.create_cart(&second, None).await.unwrap(), "the customer has an open cart already");
    assert!(store.cart(second.id).await.unwrap().is_none(), "and the losing cart was not written");
    assert_eq!(store.open_cart_of(&customer).await.unwrap(), Some(first.id));
    assert_eq!(store.cart(first.id).await.unwrap().unwrap(), first, "a cart round-trips");

    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = format!("C-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let filled = first.with_added(&mug, None, 2, &life, now()).unwrap();
    store.save_cart(&first, &filled).await.unwrap();
    let stale = first.with_added(&mug, None, 1, &life, now()).unwrap();
    assert!(matches!(store.save_cart(&first, &stale).await, Err(StoreError::VersionMismatch { .. })));
    assert_eq!(store.cart(first.id).await.unwrap().unwrap().lines[0].quantity, 2, "the stale write changed nothing");

    let idle = store.idle(now() + Duration::seconds(1), None).await.unwrap();
    assert!(idle.items.iter().any(|c| c.id == first.id), "a cart with lines and an address may be abandoned");
    let event = Event::new(EventKind::CartAbandoned { cart_id: first.id }, now());
    assert!(
        !store.mark_abandoned(&first, &first.abandoned(now()), &event).await.unwrap(),
        "a stale cart is not marked"
    );
    assert!(store.mark_abandoned(&filled, &filled.abandoned(now()), &event).await.unwrap());
    let marked = store.cart(first.id).await.unwrap().unwrap();
    let idle = store.idle(now() + Duration::seconds(1), None).await.unwrap();
    assert!(!idle.items.iter().any(|c| c.id == first.id), "reported once: no longer listed");

    let policy = tillbox::app::orders::OrderPolicy::TEMPLATE_DEFAULTS;
    let customer_principal = Principal { subject: customer.clone(), role: Role::Customer, session: None };
    let placed = tillbox::app::carts::checkout(
        store,
        &policy,
        (Some(&customer_principal), "198.51.100.7"),
        None,
        first.id,
        now(),
    )
    .await
    .unwrap();
    let closed = store.cart(first.id).await.unwrap().unwrap();
    assert_eq!(closed.status, tillbox::domain::CartStatus::CheckedOut(placed.id));
    assert_eq!(closed.version, marked.version + 1);
    let order = tillbox::domain::Order::price(
        &filled.order_request().unwrap(),
        &[ProductStore::get(store, mug.id).await.unwrap().unwrap()],
        None,
        &customer,
        now(),
    )
    .unwrap();
    let again = Event::new(EventKind::OrderPlaced { order_id: order.id }, now());
    let close =
        tillbox::app::orders::ports::CartClose { previous: &marked, next: &marked.checked_out(order.id, now()) };
    let placement = OrderStore::place(store, &order, &again, 10, Some(close)).await.unwrap();
    assert_eq!(placement, tillbox::app::orders::ports::Placement::CartChanged);
    assert!(OrderStore::get(store, order.id).await.unwrap().is_none(), "no second order from one cart");
    assert_eq!(ProductStore::get(store, mug.id).await.unwrap().unwrap().variants[0].stock, 3, "nor its stock");
}

async fn a_customer_holds_only_so_many_unpaid_orders_and_paying_or_cancelling_frees_a_place(store: &impl PlacingStore) {
    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = format!("O-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 50);
    let mug = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let customer = Principal { subject: format!("buyer-{}", OrderId::generate()), role: Role::Customer, session: None };
    let policy = tillbox::app::orders::OrderPolicy { max_open_orders: 2, orders_per_hour: 100 };
    let place = || {
        tillbox::app::orders::place(
            store,
            &policy,
            &customer,
            OrderRequest::parse(&[(mug.id, None, 1)], None).unwrap(),
            now(),
        )
    };

    // Four at once for two places: exactly two are placed, and the others reserve nothing.
    let raced = tokio::join!(place(), place(), place(), place());
    let raced = [raced.0, raced.1, raced.2, raced.3];
    let placed: Vec<_> = raced.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(placed.len(), 2, "{raced:?}");
    assert!(
        raced
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, tillbox::app::orders::OrdersError::TooManyOpenOrders { max: 2 })),
        "{raced:?}"
    );
    assert_eq!(ProductStore::get(store, mug.id).await.unwrap().unwrap().variants[0].stock, 48);

    tillbox::app::orders::change(
        store,
        &customer,
        placed[0].id,
        Transition::Cancel(tillbox::domain::CancelReason::Customer),
        now(),
    )
    .await
    .unwrap();
    let third = place().await.unwrap();
    assert!(place().await.is_err(), "two open again");
    tillbox::app::orders::change(store, &staff, third.id, Transition::MarkPaid, now()).await.unwrap();
    place().await.expect("a paid order frees its place");

    // A stale change of an open order writes nothing, so it frees no place either.
    let open = placed[1];
    let seen_later = tillbox::domain::Order { version: open.version + 1, ..open.clone() };
    let paid = tillbox::domain::Order { status: OrderStatus::Paid, ..open.clone() };
    let event = Event::new(EventKind::OrderPlaced { order_id: open.id }, now());
    let stale = OrderStore::change(
        store,
        OrderChange { previous: &seen_later, next: &paid, release: false, event: &event, audit: None },
    )
    .await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { .. })), "{stale:?}");
    assert!(place().await.is_err(), "still two open");
}

/// An order an older release moved out of awaiting payment without taking it out
/// of its customer's open orders (a write this release would not make) holds its
/// place only until that place refuses an order.
async fn a_place_an_older_release_left_taken_is_freed_when_it_refuses_an_order(stack: &Stack) {
    let table = stack.table();
    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let sku = format!("S-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 50);
    let mug = tillbox::app::catalog::products::create(&table, Some(&staff), input, now()).await.unwrap();
    let customer = Principal { subject: format!("buyer-{}", OrderId::generate()), role: Role::Customer, session: None };
    let policy = tillbox::app::orders::OrderPolicy { max_open_orders: 1, orders_per_hour: 100 };
    let place = || {
        tillbox::app::orders::place(
            &table,
            &policy,
            &customer,
            OrderRequest::parse(&[(mug.id, None, 1)], None).unwrap(),
            now(),
        )
    };

    let old = place().await.unwrap();
    stack
        .dynamodb()
        .update_item()
        .table_name(&stack.table_name)
        .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(format!("ORDER#{}", old.id)))
        .key("SK", aws_sdk_dynamodb::types::AttributeValue::S("ORDER".into()))
        .update_expression("SET #status = :cancelled")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":cancelled", aws_sdk_dynamodb::types::AttributeValue::S("cancelled".into()))
        .send()
        .await
        .unwrap();
    let next = place().await.expect("the cancelled order's place is free again");
    let refused = place().await.unwrap_err();
    assert!(
        matches!(refused, tillbox::app::orders::OrdersError::TooManyOpenOrders { max: 1 }),
        "{refused:?}: {next:?} is open"
    );
}

async fn an_address_held_by_an_account_that_expired_unverified_is_free_again(store: &impl UserStore) {
    let email = Email::parse(&format!("{}@example.com", OrderId::generate())).unwrap();
    let t0 = now();
    let first = User::sign_up(email.clone(), "hash-1".into(), t0);
    assert!(store.create(&first, None, None).await.unwrap());
    let soon = User::sign_up(email.clone(), "hash-2".into(), t0 + Duration::hours(1));
    assert!(!store.create(&soon, None, None).await.unwrap(), "held while it may still be verified");
    let later = User::sign_up(email.clone(), "hash-3".into(), t0 + Duration::hours(25));
    assert!(store.create(&later, None, None).await.unwrap(), "free once the first expired unverified");
    assert_eq!(store.find_by_email(&email).await.unwrap().unwrap().id, later.id);

    let kept = Email::parse(&format!("{}@example.com", OrderId::generate())).unwrap();
    let verified = User { email_verified: true, ..User::sign_up(kept.clone(), "hash-4".into(), t0) };
    assert!(store.create(&verified, None, None).await.unwrap());
    let taker = User::sign_up(kept, "hash-5".into(), t0 + Duration::days(30));
    assert!(!store.create(&taker, None, None).await.unwrap(), "a verified account never expires");
}

async fn rate_counters_count_per_key_and_window_and_can_be_read_without_counting(store: &impl RateLimiter) {
    let limit = tillbox::domain::rate_limit::LOGIN_FAILURES_PER_ACCOUNT;
    let key = format!("{}@example.com", OrderId::generate());
    assert_eq!(store.hits(limit, &key, now()).await.unwrap(), 0);
    assert_eq!(store.hit(limit, &key, now()).await.unwrap(), 1);
    assert_eq!(store.hit(limit, &key, now()).await.unwrap(), 2);
    assert_eq!(store.hits(limit, &key, now()).await.unwrap(), 2, "reading counts nothing");
    let next_window = now() + Duration::seconds(limit.window_seconds);
    assert_eq!(store.hits(limit, &key, next_window).await.unwrap(), 0);
}

/// Counters only grow, once per event; a day's products are kept per currency.
async fn sales_are_counted_once_per_event_and_read_back_by_day(store: &impl SalesStats) {
    // A day of its own, so the contract holds however often the table is reused.
    let random = u32::from_le_bytes(tillbox::domain::secret::random_bytes::<4>());
    let day = time::Date::from_julian_day(2_400_000 + (random % 100_000) as i32).unwrap();
    let product = ProductId::generate();
    let mut paid = SalesCounts { orders_paid: 1, ..SalesCounts::default() };
    paid.currencies.insert(
        "EUR".into(),
        CurrencySales { gross: 2975, revenue: 2500, tax: 475, shipping: 0, refunded: 0, orders_paid: 1 },
    );
    paid.products.insert(("EUR".into(), product), ProductSales { name: "Mug".into(), units: 2, revenue: 2500 });
    let first = Event::new(EventKind::OrderPaid { order_id: OrderId::generate() }, now());
    let second = Event::new(EventKind::OrderPaid { order_id: OrderId::generate() }, now());
    assert!(store.count(&first, day, &paid, now()).await.unwrap());
    assert!(!store.count(&first, day, &paid, now()).await.unwrap(), "the same event again counts nothing");
    assert!(store.count(&second, day, &paid, now()).await.unwrap());

    let days = store.days(day.previous_day().unwrap(), day.next_day().unwrap()).await.unwrap();
    assert_eq!(days.keys().copied().collect::<Vec<_>>(), [day], "only days with sales are returned");
    let counted = &days[&day];
    assert_eq!(counted.orders_paid, 2);
    assert_eq!(
        counted.currencies["EUR"],
        CurrencySales { gross: 5950, revenue: 5000, tax: 950, shipping: 0, refunded: 0, orders_paid: 2 }
    );
    assert_eq!(
        counted.products[&("EUR".to_owned(), product)],
        ProductSales { name: "Mug".into(), units: 4, revenue: 5000 }
    );
}

/// An export is written only by the run that owns it (its number is `attempts`).
async fn an_export_is_saved_only_by_the_run_that_owns_it(store: &impl ExportStore) {
    let filter = ExportRequest { from: "2026-11-01T00:00:00Z".into(), to: "2026-11-02T00:00:00Z".into(), status: None }
        .parse()
        .unwrap();
    let export = OrderExport::new(filter, "admin-1", now());
    let event = Event::new(EventKind::ExportRequested { export_id: export.id }, now());
    let audit = AuditRecord::new(
        "admin-1",
        "export.requested",
        "export",
        serde_json::Value::Null,
        serde_json::Value::Null,
        now(),
    );
    store.create(&export, &event, &audit).await.unwrap();
    let first = export.started(now());
    store.save(&first, 0).await.unwrap();
    let stale = store.save(&export.started(now()), 0).await.unwrap_err();
    assert!(matches!(stale, StoreError::VersionMismatch { current: 1 }), "{stale:?}");
    let done = first.done(3, 4, now());
    store.save(&done, 1).await.unwrap();
    assert_eq!(store.get(export.id).await.unwrap().unwrap(), done);
}

/// A file written in parts reads back whole, in part order; S3 wants every part
/// but the last to be 5 MiB at least.
async fn a_file_written_in_parts_reads_back_whole(files: &(impl ExportFiles + FileStore)) {
    let key = format!("exports/{}.csv", OrderId::generate());
    let upload = files.begin(&key).await.unwrap();
    let first = vec![b'a'; tillbox::app::exports::PART_SIZE];
    let tags = vec![
        (1, files.write_part(&key, &upload, 1, first.clone()).await.unwrap()),
        (2, files.write_part(&key, &upload, 2, b"tail\r\n".to_vec()).await.unwrap()),
    ];
    assert_eq!(files.size(&key).await.unwrap(), None, "nothing is visible before the upload is finished");
    files.finish(&key, &upload, &tags).await.unwrap();
    let read = files.read(&key).await.unwrap();
    assert_eq!(read.len(), first.len() + 6);
    assert!(read.ends_with(b"aatail\r\n"));

    let abandoned = files.begin(&key).await.unwrap();
    files.write_part(&key, &abandoned, 1, b"partial".to_vec()).await.unwrap();
    files.abandon(&key, &abandoned).await.unwrap();
    assert_eq!(files.read(&key).await.unwrap().len(), first.len() + 6, "an abandoned upload changes nothing");
}

/// Invoice numbers are gapless and never given twice, however many documents
/// are numbered at once; a number taken stays with its order through later writes.
async fn invoice_numbers_are_gapless_under_concurrency(store: &(impl PlacingStore + DocumentNumbers)) {
    let staff = Principal { subject: "numbers-staff".into(), role: Role::Staff, session: None };
    let sku = format!("N-{}", &OrderId::generate().to_string()[..8]);
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), 100);
    let mug = tillbox::app::catalog::products::create(store, Some(&staff), input, now()).await.unwrap();
    let policy = tillbox::app::orders::OrderPolicy { max_open_orders: 100, orders_per_hour: 100 };
    let mut orders = Vec::new();
    for _ in 0..12 {
        let request = OrderRequest::parse(&[(mug.id, None, 1)], None).unwrap();
        orders.push(tillbox::app::orders::place(store, &policy, &staff, request, now()).await.unwrap());
    }
    // Every order numbered twice, all at once.
    let asked = orders.iter().chain(&orders).map(|o| store.invoice_number(o.id));
    let numbers: Vec<u64> = futures_util::future::join_all(asked).await.into_iter().map(Result::unwrap).collect();
    let (first, again) = numbers.split_at(orders.len());
    assert_eq!(first, again, "an order keeps its number");
    let mut sorted = first.to_vec();
    sorted.sort_unstable();
    let lowest = sorted[0];
    assert_eq!(sorted, (lowest..lowest + 12).collect::<Vec<_>>(), "twelve numbers, no gap, none twice");
    // A write computed before the number was taken cannot drop it; one after keeps it.
    let paid = tillbox::domain::Transition::MarkPaid;
    let event = Event::new(EventKind::OrderPaid { order_id: orders[0].id }, now());
    let stale = orders[0].apply(&paid, now()).unwrap();
    let write = OrderChange { previous: &orders[0], next: &stale, release: false, event: &event, audit: None };
    assert!(matches!(OrderStore::change(store, write).await, Err(StoreError::VersionMismatch { .. })));
    let stored = OrderStore::get(store, orders[0].id).await.unwrap().unwrap();
    assert_eq!(stored.invoice_number, Some(first[0]));
    let fresh = stored.apply(&paid, now()).unwrap();
    let write = OrderChange { previous: &stored, next: &fresh, release: false, event: &event, audit: None };
    OrderStore::change(store, write).await.unwrap();
    assert_eq!(OrderStore::get(store, orders[0].id).await.unwrap().unwrap().invoice_number, Some(first[0]));
    assert!(matches!(store.invoice_number(OrderId::generate()).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn the_table_keeps_the_store_contracts() {
    let stack = Stack::new().await;
    let table = stack.table();
    a_writer_that_lost_the_race_learns_the_current_version(&table).await;
    a_taken_sku_is_refused_and_nothing_is_written(&table).await;
    replacing_a_product_that_does_not_exist_is_not_found(&table).await;
    a_one_time_token_is_spent_once_and_a_stale_user_write_changes_nothing(&table).await;
    a_refresh_token_rotates_once_and_never_on_a_revoked_session(&table).await;
    an_idempotency_key_is_held_replayed_and_freed_only_by_its_holder(&table).await;
    a_payment_opens_once_and_changes_only_at_its_version(&table).await;
    a_dispute_holds_the_payment_and_its_order_together(&table).await;
    a_webhook_event_is_remembered_once_queued(&table).await;
    a_refund_is_recorded_once_at_the_orders_version_with_its_restock(&table).await;
    variants_of_one_product_keep_their_own_stock_through_orders_cancels_and_refunds(&table).await;
    a_cart_is_written_at_its_version_and_placed_once(&table).await;
    a_customer_holds_only_so_many_unpaid_orders_and_paying_or_cancelling_frees_a_place(&table).await;
    a_place_an_older_release_left_taken_is_freed_when_it_refuses_an_order(&stack).await;
    rate_counters_count_per_key_and_window_and_can_be_read_without_counting(&table).await;
    an_address_held_by_an_account_that_expired_unverified_is_free_again(&table).await;
    sales_are_counted_once_per_event_and_read_back_by_day(&table).await;
    an_export_is_saved_only_by_the_run_that_owns_it(&table).await;
    a_file_written_in_parts_reads_back_whole(&stack.bucket()).await;
    invoice_numbers_are_gapless_under_concurrency(&table).await;
}

#[tokio::test]
async fn the_in_memory_fake_keeps_the_store_contracts() {
    let shop = MemoryShop::default();
    a_writer_that_lost_the_race_learns_the_current_version(&shop).await;
    a_taken_sku_is_refused_and_nothing_is_written(&shop).await;
    replacing_a_product_that_does_not_exist_is_not_found(&shop).await;
    a_one_time_token_is_spent_once_and_a_stale_user_write_changes_nothing(&shop).await;
    a_refresh_token_rotates_once_and_never_on_a_revoked_session(&shop).await;
    an_idempotency_key_is_held_replayed_and_freed_only_by_its_holder(&shop).await;
    a_payment_opens_once_and_changes_only_at_its_version(&shop).await;
    a_dispute_holds_the_payment_and_its_order_together(&shop).await;
    a_webhook_event_is_remembered_once_queued(&shop).await;
    a_refund_is_recorded_once_at_the_orders_version_with_its_restock(&shop).await;
    variants_of_one_product_keep_their_own_stock_through_orders_cancels_and_refunds(&shop).await;
    a_cart_is_written_at_its_version_and_placed_once(&shop).await;
    a_customer_holds_only_so_many_unpaid_orders_and_paying_or_cancelling_frees_a_place(&shop).await;
    rate_counters_count_per_key_and_window_and_can_be_read_without_counting(&shop).await;
    an_address_held_by_an_account_that_expired_unverified_is_free_again(&shop).await;
    sales_are_counted_once_per_event_and_read_back_by_day(&shop).await;
    an_export_is_saved_only_by_the_run_that_owns_it(&shop).await;
    a_file_written_in_parts_reads_back_whole(&shop).await;
    invoice_numbers_are_gapless_under_concurrency(&shop).await;
}

/// Items exactly as the release before variants wrote them: a product with its
/// stock and SKU on the item, its SKU claim, and an order awaiting payment whose
/// line names no variant.
async fn write_as_before_variants(stack: &Stack, product: ProductId, order: OrderId, customer: &str) {
    use aws_sdk_dynamodb::types::AttributeValue::{L, M, N, S};
    let client = aws_sdk_dynamodb::Client::new(&stack.sdk);
    let at = "2026-11-30T10:00:00.000000Z";
    let map = |pairs: &[(&str, aws_sdk_dynamodb::types::AttributeValue)]| {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<std::collections::HashMap<_, _>>()
    };
    let image = M(map(&[
        ("id", S("0193a0b2-7c4e-7d1a-9f3e-0000000000aa".into())),
        ("width", N("800".into())),
        ("height", N("600".into())),
        ("original_key", S(format!("images/{product}/0193a0b2-7c4e-7d1a-9f3e-0000000000aa/original.jpg"))),
        ("thumbnails", L(vec![])),
    ]));
    let items = [
        map(&[
            ("PK", S(format!("PRODUCT#{product}"))),
            ("SK", S("PRODUCT".into())),
            ("GSI1PK", S("PRODUCTS#active".into())),
            ("GSI1SK", S(format!("{at}#{product}"))),
            ("entity", S("product".into())),
            ("id", S(product.to_string())),
            ("sku", S("OLD-MUG".into())),
            ("name", S("Old mug".into())),
            ("description", S("From before variants.".into())),
            ("price_amount", N("1200".into())),
            ("currency", S("EUR".into())),
            ("stock", N("8".into())),
            ("max_per_order", N("4".into())),
            ("status", S("active".into())),
            ("images", L(vec![image])),
            ("version", N("7".into())),
            ("created_at", S(at.into())),
            ("updated_at", S(at.into())),
        ]),
        map(&[("PK", S("SKU#OLD-MUG".into())), ("SK", S("SKU".into())), ("product_id", S(product.to_string()))]),
        map(&[
            ("PK", S(format!("ORDER#{order}"))),
            ("SK", S("ORDER".into())),
            ("GSI1PK", S(format!("CUSTOMER#{customer}"))),
            ("GSI1SK", S(format!("{at}#{order}"))),
            ("GSI2PK", S("ORDERS#pending_payment".into())),
            ("GSI2SK", S(format!("{at}#{order}"))),
            ("entity", S("order".into())),
            ("id", S(order.to_string())),
            ("customer", S(customer.into())),
            ("status", S("pending_payment".into())),
            ("currency", S("EUR".into())),
            ("subtotal", N("2400".into())),
            ("total", N("2400".into())),
            ("refunded", N("0".into())),
            (
                "lines",
                L(vec![M(map(&[
                    ("product_id", S(product.to_string())),
                    ("sku", S("OLD-MUG".into())),
                    ("name", S("Old mug".into())),
                    ("unit_price", N("1200".into())),
                    ("quantity", N("2".into())),
                    ("total", N("2400".into())),
                    ("restocked", N("0".into())),
                ]))]),
            ),
            ("version", N("1".into())),
            ("created_at", S(at.into())),
            ("updated_at", S(at.into())),
        ]),
    ];
    for item in items {
        client.put_item().table_name(&stack.table_name).set_item(Some(item)).send().await.unwrap();
    }
}

#[tokio::test]
async fn a_shop_from_before_variants_keeps_every_product_order_image_and_stock_count() {
    use tillbox::app::catalog::upgrade::{UpgradeReport, upgrade_products};
    let stack = Stack::new().await;
    let table = stack.table();
    let (product, order) = (ProductId::generate(), OrderId::generate());
    write_as_before_variants(&stack, product, order, "ann").await;

    let read = ProductStore::get(&table, product).await.unwrap().unwrap();
    let sole = read.sole_variant().expect("read as a product sold one way");
    assert_eq!(
        (sole.id, sole.sku.as_str(), sole.stock, sole.max_per_order),
        (VariantId::sole_of(product), "OLD-MUG", 8, 4)
    );
    let stored_order = OrderStore::get(&table, order).await.unwrap().unwrap();
    assert_eq!(stored_order.lines[0].variant_id, sole.id, "an old line took the stock of the product's one variant");

    assert_eq!(upgrade_products(&table).await.unwrap(), UpgradeReport { upgraded: 1, skipped: 0 });
    assert_eq!(upgrade_products(&table).await.unwrap(), UpgradeReport::default(), "a second run has nothing to do");
    let upgraded = ProductStore::get(&table, product).await.unwrap().unwrap();
    assert_eq!(
        (upgraded.variants.clone(), upgraded.images.clone(), upgraded.version, upgraded.name.clone()),
        (read.variants.clone(), read.images.clone(), read.version, read.name.clone()),
        "nothing but the layout changed"
    );

    let staff = Principal { subject: "staff-1".into(), role: Role::Staff, session: None };
    let cancel = Transition::Cancel(tillbox::domain::CancelReason::Staff);
    tillbox::app::orders::change(&table, &staff, order, cancel, now()).await.unwrap();
    let stock = async || ProductStore::get(&table, product).await.unwrap().unwrap().variants[0].stock;
    assert_eq!(stock().await, 10, "the old order's 2 units went back to the variant");
    let policy = tillbox::app::orders::OrderPolicy::TEMPLATE_DEFAULTS;
    let request = OrderRequest::parse(&[(product, None, 3)], None).unwrap();
    let placed = tillbox::app::orders::place(&table, &policy, &staff, request, now()).await.unwrap();
    assert_eq!((placed.lines[0].variant_id, stock().await), (sole.id, 7), "and it sells by product id as before");
    let copy = self::product("old-mug");
    assert_eq!(
        ProductStore::insert(&table, &copy, &created(&copy)).await.unwrap(),
        SkuClaim::Taken(Sku::parse("OLD-MUG").unwrap()),
        "its SKU claim still holds"
    );
}

/// The search documents against S3 through the emulator: conditional writes, a
/// conditional read, and two index writers racing without losing either's change.
#[tokio::test]
async fn the_search_documents_are_replaced_only_by_a_writer_that_read_them() {
    use tillbox::app::search::{self, ports::Loaded, ports::SearchDocuments};
    use tillbox::domain::search::SearchDocument;

    let stack = Stack::new().await;
    let (bucket, table) = (stack.bucket(), stack.table());
    let Loaded::Current(nothing) = bucket.load(None).await.unwrap() else { panic!("an unconditional load") };
    assert_eq!((nothing.documents.len(), nothing.tag), (0, None));

    let lamp = product("SEARCH-LAMP");
    let document = SearchDocument::of(&lamp);
    let first = bucket.save(std::slice::from_ref(&document), None).await.unwrap();
    assert!(matches!(bucket.save(&[], None).await, Err(StoreError::Replaced)), "created meanwhile");
    assert_eq!(bucket.load(Some(&first)).await.unwrap(), Loaded::Unchanged);
    let second = bucket.save(&[], Some(&first)).await.unwrap();
    assert!(matches!(bucket.save(std::slice::from_ref(&document), Some(&first)).await, Err(StoreError::Replaced)));
    let Loaded::Current(stored) = bucket.load(Some(&first)).await.unwrap() else { panic!("replaced since") };
    assert_eq!((stored.documents.len(), stored.tag.as_deref()), (0, Some(second.as_str())));

    let (lamp, chair) = (product("SEARCH-LAMP-2"), product("SEARCH-CHAIR"));
    for p in [&lamp, &chair] {
        assert_eq!(ProductStore::insert(&table, p, &created(p)).await.unwrap(), SkuClaim::Claimed);
    }
    let (lamp_ids, chair_ids) = ([lamp.id], [chair.id]);
    let (one, other) =
        tokio::join!(search::reindex(&bucket, &table, &lamp_ids), search::reindex(&bucket, &table, &chair_ids));
    assert_eq!((one.unwrap(), other.unwrap()), (1, 1), "the writer that lost the race merged and wrote again");
    assert_eq!(search::reindex(&bucket, &table, &[lamp.id, chair.id]).await.unwrap(), 0, "already current");

    let renamed_lamp = renamed(&lamp, "Reading lamp");
    ProductStore::replace(&table, &lamp, &renamed_lamp, &updated(&lamp)).await.unwrap();
    assert_eq!(search::reindex(&bucket, &table, &[lamp.id]).await.unwrap(), 1);
    let Loaded::Current(stored) = bucket.load(None).await.unwrap() else { panic!("an unconditional load") };
    let mut names: Vec<_> = stored.documents.iter().map(|d| (d.name.as_str(), d.version)).collect();
    names.sort();
    assert_eq!(names, [("Lamp", chair.version), ("Reading lamp", renamed_lamp.version)]);

    // A rebuild reads the whole catalog (every status) and drops nothing it holds.
    let stray = SearchDocument { id: "not-a-product".into(), ..SearchDocument::of(&lamp) };
    let Loaded::Current(current) = bucket.load(None).await.unwrap() else { panic!("an unconditional load") };
    bucket.save(&[stray], current.tag.as_deref()).await.unwrap();
    assert_eq!(search::rebuild(&bucket, &table).await.unwrap(), 3, "the two products, and the stray kept");

    // Damaged documents: the job refuses to write a few products over them (it
    // would lose the rest); a rebuild replaces them.
    let s3 =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&stack.sdk).force_path_style(true).build());
    let damaged = aws_sdk_s3::primitives::ByteStream::from_static(b"{\"format\":1,\"documents\":[");
    s3.put_object().bucket(&stack.bucket_name).key("search/products.json").body(damaged).send().await.unwrap();
    assert!(matches!(bucket.load(None).await.unwrap(), Loaded::Unreadable { .. }));
    assert!(matches!(search::reindex(&bucket, &table, &[lamp.id]).await, Err(StoreError::Corrupt(_))));
    assert_eq!(search::rebuild(&bucket, &table).await.unwrap(), 2);
    let Loaded::Current(rebuilt) = bucket.load(None).await.unwrap() else { panic!("readable again") };
    assert_eq!(rebuilt.documents.len(), 2);
}
