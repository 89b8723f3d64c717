"""Pays a PaymentIntent on the local Stripe emulator with a test card, as Stripe.js
would in a storefront: a card PaymentMethod, then the intent confirmed with it.
Stripe then sends `payment_intent.succeeded` (or `payment_intent.payment_failed`
for a declined card) to the local webhook. `make pay` (tillbox_local/commands/pay.py)
and the payment tests use it.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from . import stripe_emulator

SUCCEEDING_CARD = "4242424242424242"


class Refused(Exception):
    pass


def call(stripe_url, path, fields):
    auth = base64.b64encode(f"{stripe_emulator.secret_key()}:".encode()).decode()
    request = urllib.request.Request(f"{stripe_url}{path}", data=urllib.parse.urlencode(fields).encode(),
                                     headers={"authorization": f"Basic {auth}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        with e:
            if e.code == 402:  # a declined card: Stripe answers the error, not the intent
                return {"status": "requires_payment_method", "last_payment_error": json.load(e)["error"]}
            raise Refused(f"Stripe refused {path}: {e.code} {e.read().decode(errors='replace')[:300]}") from None


def pay(stripe_url, payment, card=SUCCEEDING_CARD):
    """Returns the PaymentIntent after confirming it with `card`."""
    method = call(stripe_url, "/v1/payment_methods", {
        "type": "card", "card[number]": card, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123",
    })
    # As Stripe.js's confirmCardPayment: the card goes with the confirmation, so a
    # second card after a decline is the same call.
    return call(stripe_url, f"/v1/payment_intents/{payment}/confirm", {"payment_method": method["id"]})
