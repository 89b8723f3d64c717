"""`make pay PAYMENT=pi_…`: pays a PaymentIntent on the local Stripe emulator with
a test card, as Stripe.js would in a storefront: a card PaymentMethod, attached
to the intent, confirmed. Stripe then sends `payment_intent.succeeded` (or
`payment_intent.payment_failed` for a declined card) to the local webhook.

    CARD=4242424242424242  succeeds (the default)
    CARD=4000000000000341  is declined when charged (Stripe: "attaches, then fails")
"""

import argparse
import os
import sys

from ..pay import SUCCEEDING_CARD, Refused, pay


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
