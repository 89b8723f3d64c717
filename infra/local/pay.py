"""`make pay PAYMENT=pi_…`: pays a PaymentIntent on the local Stripe emulator with
a test card, as Stripe.js would in a storefront: a card PaymentMethod, attached
to the intent, confirmed. Stripe then sends `payment_intent.succeeded` (or
`payment_intent.payment_failed` for a declined card) to the local webhook.

    CARD=4242424242424242  succeeds (the default)
    CARD=4000000000000341  is declined when charged (Stripe: "attaches, then fails")
"""

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import stripe_emulator

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
    call(stripe_url, f"/v1/payment_intents/{payment}", {"payment_method": method["id"]})
    return call(stripe_url, f"/v1/payment_intents/{payment}/confirm", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("payment", help="the provider_payment_id POST /orders/{id}/payment answered (pi_…)")
    parser.add_argument("--card", default=SUCCEEDING_CARD)
    parser.add_argument("--stripe", default=os.environ.get("TILLBOX_STRIPE_URL", "http://127.0.0.1:8420"))
    args = parser.parse_args()
    if not args.payment.startswith("pi_"):
        sys.exit("PAYMENT must be a PaymentIntent id (pi_…): the provider_payment_id of POST /orders/{id}/payment")
    try:
        intent = pay(args.stripe, args.payment, args.card)
    except Refused as refused:
        sys.exit(str(refused))
    print(f"{args.payment}: {intent['status']}"
          + ("" if intent["status"] == "succeeded" else f" ({(intent.get('last_payment_error') or {}).get('message', '')})"))


if __name__ == "__main__":
    main()
