//! One JSON object per log line, with the keys of AWS Lambda Powertools'
//! logger: `level`, `message`, `timestamp`, `service`, `function_name`,
//! `function_request_id`, `cold_start`, `xray_trace_id`, `correlation_id`, then
//! the line's own fields. The Lambda runtime's span per invocation gives the
//! request and trace ids; [`super::correlate`]'s span gives the correlation id.

use serde_json::{Map, Value};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterFn, LevelFilter, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The span lambda_runtime opens around each invocation.
const INVOCATION_SPAN: &str = "Lambda runtime invoke";

/// Installs the logger for the whole process: the level from `LOG_LEVEL` (or
/// Lambda's `AWS_LAMBDA_LOG_LEVEL`; INFO when neither is set), the service name
/// from `POWERTOOLS_SERVICE_NAME` (default `tillbox`).
pub fn init() {
    let level = ["LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .and_then(|value| value.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let layer = PowertoolsLayer::new(std::io::stdout);
    // A second call (tests) keeps the first logger.
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter(level))).try_init();
}

/// Lines at `level` and above. Spans are kept at INFO whatever the level: they
/// carry the request, trace and correlation ids an ERROR line needs as much as
/// any, and count the invocations (cold starts). Libraries' DEBUG and TRACE
/// spans stay off unless the level asks for them.
fn filter(level: LevelFilter) -> FilterFn<impl Fn(&tracing::Metadata<'_>) -> bool> {
    let spans = level.max(LevelFilter::INFO);
    filter_fn(move |meta| *meta.level() <= if meta.is_span() { spans } else { level })
}

/// Writes each event as one JSON line to what `make_writer` returns.
pub struct PowertoolsLayer<W> {
    make_writer: W,
    invocations: AtomicU64,
}

impl<W> PowertoolsLayer<W> {
    pub fn new(make_writer: W) -> Self {
        Self { make_writer, invocations: AtomicU64::new(0) }
    }
}

/// The fields a span was opened with (and recorded later).
struct SpanFields(Map<String, Value>);

struct JsonFields<'a>(&'a mut Map<String, Value>);

impl Visit for JsonFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}").into());
    }
}

impl<S, W> Layer<S> for PowertoolsLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() == INVOCATION_SPAN && self.invocations.fetch_add(1, Ordering::Relaxed) == 0 {
            super::metrics::count("ColdStarts", &[("function_name", &super::identity().function_name)]);
        }
        let mut fields = Map::new();
        attrs.record(&mut JsonFields(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(SpanFields(fields)) = span.extensions_mut().get_mut::<SpanFields>()
        {
            values.record(&mut JsonFields(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut context = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    context.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut own = Map::new();
        event.record(&mut JsonFields(&mut own));
        let line = self.line(event.metadata().level(), &mut context, own);
        // One write per line, so lines from concurrent tasks never interleave.
        let _ = self.make_writer.make_writer().write_all(format!("{line}\n").as_bytes());
    }
}

impl<W> PowertoolsLayer<W> {
    fn line(&self, level: &Level, context: &mut Map<String, Value>, mut own: Map<String, Value>) -> Value {
        let mut line = Map::new();
        line.insert("level".into(), level.as_str().into());
        line.insert("message".into(), own.remove("message").unwrap_or_default());
        line.insert("timestamp".into(), timestamp().into());
        let identity = super::identity();
        line.insert("service".into(), identity.service.as_str().into());
        line.insert("function_name".into(), identity.function_name.as_str().into());
        line.insert("function_request_id".into(), context.remove("requestId").unwrap_or_default());
        line.insert("cold_start".into(), (self.invocations.load(Ordering::Relaxed) <= 1).into());
        line.insert("xray_trace_id".into(), context.remove("xrayTraceId").unwrap_or_default());
        line.insert("correlation_id".into(), context.remove("correlation_id").unwrap_or_default());
        line.extend(context.iter().filter(|(k, _)| *k != "tenantId").map(|(k, v)| (k.clone(), v.clone())));
        line.extend(own);
        Value::Object(line)
    }
}

/// UTC, milliseconds, as Powertools writes it: `2026-11-22T10:00:00.123Z`.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    now.format(format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(captured: &Captured) -> Vec<Value> {
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    #[test]
    fn every_line_has_the_powertools_keys_and_the_invocations_ids() {
        let captured = Captured::default();
        let writer = captured.clone();
        let layer = PowertoolsLayer::new(move || writer.clone());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            for request in ["req-1", "req-2"] {
                let invocation =
                    tracing::info_span!("Lambda runtime invoke", requestId = request, xrayTraceId = "1-abc");
                let _in = invocation.enter();
                let correlated = tracing::info_span!("correlated", correlation_id = "apigw-1");
                let _also = correlated.enter();
                tracing::info!(status = 201, "request handled");
            }
        });
        let [first, second] = &lines(&captured)[..] else { panic!("two lines") };
        for key in [
            "level",
            "message",
            "timestamp",
            "service",
            "function_name",
            "function_request_id",
            "cold_start",
            "xray_trace_id",
            "correlation_id",
        ] {
            assert!(first.get(key).is_some(), "{key} missing from {first}");
        }
        assert_eq!(first["level"], "INFO");
        assert_eq!(first["message"], "request handled");
        assert_eq!(first["status"], 201);
        assert_eq!((&first["function_request_id"], &first["xray_trace_id"]), (&"req-1".into(), &"1-abc".into()));
        assert_eq!(first["correlation_id"], "apigw-1");
        assert_eq!((&first["cold_start"], &second["cold_start"]), (&true.into(), &false.into()));
        assert_eq!(second["function_request_id"], "req-2");
        assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn a_quiet_level_drops_lines_but_keeps_the_ids_on_those_it_writes() {
        let captured = Captured::default();
        let writer = captured.clone();
        let layer = PowertoolsLayer::new(move || writer.clone()).with_filter(filter(LevelFilter::ERROR));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let invocation = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
            let _in = invocation.enter();
            let correlated = tracing::info_span!("correlated", correlation_id = "apigw-1");
            let _also = correlated.enter();
            tracing::info!("request handled");
            tracing::error!("table unavailable");
        });
        let [line] = &lines(&captured)[..] else { panic!("only the error is written") };
        assert_eq!(line["message"], "table unavailable");
        assert_eq!((&line["function_request_id"], &line["correlation_id"]), (&"req-1".into(), &"apigw-1".into()));
        assert_eq!(line["cold_start"], true);
    }
}
