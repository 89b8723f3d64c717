# The two commands a newcomer needs: `make dev` and `make test`. Both install what
# they need into the git-ignored .venv/ (moto, cargo-lambda, cfn-lint from PyPI).

VENV   := .venv
PYTHON := $(VENV)/bin/python
ROLE   ?= staff
API    ?= http://127.0.0.1:3000
SUB    ?= demo-$(ROLE)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: dev test lint token pay receiver live races release bench bench-search bench-dashboard deploy-check docs-page docs-vendor

SAM_VENV := .venv-sam

$(VENV)/installed: infra/local/requirements.txt infra/local/pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/local/requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e infra/local
	touch $@

## Run the whole API locally on http://127.0.0.1:3000 (Ctrl-C stops everything).
## VERBOSE=1 shows the build, emulator and function output kept in target/dev.log.
dev: $(VENV)/installed
	$(PYTHON) -m tillbox_local.commands.dev $(if $(VERBOSE),--verbose) $(DEV_ARGS)

## Run every test: Rust unit and integration tests, then the local-stack end-to-end tests.
test: $(VENV)/installed
	$(PYTHON) -m tillbox_local.commands.test

## Formatting, lints and the template check CI runs beside the tests (Rust, the
## template, and the dashboard's TypeScript).
lint: $(VENV)/installed
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(VENV)/bin/cfn-lint template.yaml
	$(PYTHON) -m tillbox_local.commands.dashboard lint

## Print a development access token: make -s token ROLE=staff
token:
	@cargo run --quiet -p tillbox-admin -- token --key infra/local/dev-signing-key.json --role $(ROLE) --sub $(SUB)

## Check the /docs page of a running `make dev` in headless Chromium (Debian's
## `chromium`): every operation is listed; the screenshot goes to target/docs.png.
docs-page: $(VENV)/installed
	mkdir -p target
	$(PYTHON) -m tillbox_local.commands.docs_page $(API) target/docs.png

## Refresh the /docs page's Swagger UI from npm (needs npm; the files are committed
## in shared/assets/docs/ and compiled into the api-docs function: no CDN at run time).
SWAGGER_UI_VERSION := 5.35.0
docs-vendor:
	rm -rf target/swagger-ui && mkdir -p target/swagger-ui
	cd target/swagger-ui && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) && tar xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz
	cd target/swagger-ui/package && cp swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE $(CURDIR)/shared/assets/docs/

## Pay an order on the local Stripe emulator, as a storefront would with Stripe.js:
## make pay PAYMENT=pi_… [CARD=4000000000000341 to be declined]
CARD ?= 4242424242424242
pay: $(VENV)/installed
	@$(PYTHON) -m tillbox_local.commands.pay "$(PAYMENT)" --card "$(CARD)"

## A webhook receiver on loopback that prints deliveries and checks their
## signatures: make receiver [PORT=9100] [SECRET=whsec_…] [FAIL=2 to fail twice first]
PORT ?= 9100
receiver: $(VENV)/installed
	@$(PYTHON) -m tillbox_local.commands.webhook_receiver --port $(PORT) $(if $(SECRET),--secret "$(SECRET)") $(if $(FAIL),--fail $(FAIL)) $(if $(GONE),--gone)

## Follows a topic on make dev's WebSocket API and prints each live update:
## make live TOPIC=order:<id> TOKEN=<access token> (or ORDER_TOKEN=<guest link>), or TOPIC=feed TOKEN=<staff>
live: $(VENV)/installed
	@$(PYTHON) -m tillbox_local.commands.live "$(TOPIC)" $(if $(TOKEN),--token "$(TOKEN)") $(if $(ORDER_TOKEN),--order-token "$(ORDER_TOKEN)")

## Order races (no oversell, one order per key, discount limits) and orders/s at
## 1, 8 and 32 clients, against a running `make dev` (another terminal).
races: $(VENV)/installed
	cargo build --quiet -p tillbox-admin
	$(PYTHON) -m tillbox_local.commands.races --api $(API)

## The benchmark: release builds, start-up, memory, size and handler overhead
## against a floor and Python/Node.js peers; rewrites docs/benchmarks.md. Slow (the
## release builds; see docs/benchmarks.md); not part of `make test`.
## BENCH_ARGS="--quick" tries the harness with a tenth of the counts.
bench: $(VENV)/installed
	$(PYTHON) bench/run.py $(BENCH_ARGS)
	$(PYTHON) bench/search.py $(BENCH_ARGS)

## Product search at 1,000, 10,000 and 100,000 products (release build): cold
## start, warm p50/p99, memory, index updates and a rebuild; rewrites
## docs/benchmarks-search.md. BENCH_ARGS="--quick" tries the harness.
bench-search: $(VENV)/installed
	$(PYTHON) bench/search.py $(BENCH_ARGS)

## The dashboard's numbers against a running `make dev` (another terminal): its
## initial JavaScript, build time, and the orders list of 1,000 orders in headless
## Chromium; rewrites docs/benchmarks-dashboard.md.
bench-dashboard: $(VENV)/installed
	cargo build --quiet -p tillbox-admin
	$(PYTHON) bench/dashboard.py --api $(API)

## Release arm64 binaries for Lambda (slow; not part of `make test`). Only the
## functions package, so its features resolve as `sam build` resolves them (the
## operator CLI's SSO credentials stay out of the functions).
release: $(VENV)/installed
	cargo lambda build --release --arm64 -p tillbox-functions

$(SAM_VENV)/installed: infra/deploy/requirements.txt
	python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/deploy/requirements.txt
	touch $@

## What `sam deploy` would build, checked offline with the pinned SAM CLI: the
## template's lint, then a cold release arm64 `sam build` of one function (about
## 4-5 minutes on 2 cores the first time; each further function about 40 s).
## Not part of `make test`. DEPLOY_CHECK_FUNCTION=<LogicalId> builds another one.
DEPLOY_CHECK_FUNCTION ?= ProductsGetFunction
deploy-check: $(VENV)/installed $(SAM_VENV)/installed
	$(SAM_VENV)/bin/sam validate --lint --region us-east-1
	$(SAM_VENV)/bin/sam build $(DEPLOY_CHECK_FUNCTION)

## Build the dashboard and the account pages into dashboard/dist/ (make dev and
## make test build them too), with the .venv's Node.js and npm ci.
dashboard-build: $(VENV)/installed
	$(PYTHON) -m tillbox_local.commands.dashboard build

## After an API change: regenerate the dashboard's client types from the OpenAPI
## document (make test fails while dashboard/src/api/schema.d.ts is stale).
dashboard-types: $(VENV)/installed
	mkdir -p target
	cargo run --quiet -p tillbox-admin -- openapi > target/openapi.json
	$(PYTHON) -m tillbox_local.commands.dashboard types

## Build the dashboard and upload it to a deployed stack: the admin app at its
## DashboardUrl output (https://<distribution>/admin/), the account pages at
## /account/. STACK=<stack name> (samconfig.toml's `tillbox` by default); AWS
## credentials and region as for the AWS CLI. docs/operations.md, "Dashboard".
.PHONY: publish-dashboard dashboard-build dashboard-types
STACK ?= tillbox
publish-dashboard: $(VENV)/installed dashboard-build
	$(PYTHON) -m tillbox_local.commands.publish_dashboard --stack $(STACK) dashboard/dist
