// Minor-unit digits of the currencies that do not have two, exactly as the
// API's ISO 4217 table (shared/src/domain/money.rs) has them: amounts on the
// wire are minor units, so a page that guessed the digits from the browser
// (Intl disagrees for HUF, IQD, COP and others) would show and send 100× off.
// The browser tests check this table against the Rust one.
export const MINOR_DIGITS: Record<string, number> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}
