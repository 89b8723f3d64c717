"""The local stack's commands, one module each, run as `python -m
tillbox_local.commands.<name>` (the Makefile's targets run them so):

- dev: `make dev`, the whole API on loopback;
- test: `make test`, every test against the emulators;
- races: `make races`, order races and throughput against `make dev`;
- pay: `make pay`, pays a PaymentIntent on the Stripe emulator;
- webhook_receiver: `make receiver`, a webhook receiver on loopback;
- docs_page: `make docs-page`, checks the /docs page in headless Chromium;
- stack: provisions template.yaml on the emulator and prints the description
  (the Rust adapter tests run it);
- moto_server, stripe_emulator: the emulators (`Emulator` and `LocalStripe` start them).
"""
