"""`make races`: the order races and throughput of tillbox_local/races.py against
a running `make dev` (another terminal): no oversell, one order per
Idempotency-Key, discount limits held, then orders/s at 1, 8 and 32 clients."""

import argparse
import os
import time

from ..races import Api, Races, describe_calls


def main():
    parser = argparse.ArgumentParser(description="Order races and throughput against a running gateway")
    parser.add_argument("--api", default="http://127.0.0.1:3000", help="the gateway `make dev` runs")
    parser.add_argument("--emulator", default=f"http://127.0.0.1:{os.environ.get('TILLBOX_MOTO_PORT', 4566)}",
                        help="the emulator `make dev` runs, whose calls are counted per order")
    parser.add_argument("--orders", type=int, default=64, help="orders per throughput level")
    args = parser.parse_args()
    races = Races(Api(args.api), emulator=args.emulator)
    for clients in (1, 8, 32):
        rate, calls = races.throughput(clients, max(1, args.orders // clients))
        if calls is None:
            print(f"{clients:>2} concurrent clients: {rate:.1f} orders/s (no emulator at {args.emulator} "
                  "to count calls)", flush=True)
            continue
        print(f"{clients:>2} concurrent clients: {rate:.1f} orders/s; emulator calls per order "
              f"(DynamoDB's lock held {calls['emulator_busy']:.0%} of the time):", flush=True)
        print(describe_calls(calls), flush=True)
    for name, race in [("20 requests, one key", races.same_key_race),
                       ("code limited to 10, 50 racers", races.discount_race),
                       ("200 buyers for 50 of size S while 30 buy size M", races.stock_race),
                       ("20 checkouts of one cart at once", races.one_cart_checkout_race),
                       ("200 carts checking out against 50 units", races.carts_stock_race)]:
        started = time.perf_counter()
        print(f"{name}: {race()} in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
