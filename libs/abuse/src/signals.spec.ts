import { combine, ramp, type SignalReading } from './signals';

const reading = (signal: SignalReading['signal'], value: number): SignalReading => ({
  signal,
  value,
  reason: '',
  evidence: {},
});

const WEIGHTS = {
  'rapid-fire': 50,
  'duplicate-prompt': 50,
  farming: 100,
  'accounts-per-address': 50,
  'accounts-per-device': 60,
};

describe('ramp', () => {
  it('is 0 below the threshold, 50 at it and 100 from twice it', () => {
    expect(ramp(4, 5)).toBe(0);
    expect(ramp(5, 5)).toBe(50);
    expect(ramp(6, 5)).toBe(60);
    expect(ramp(10, 5)).toBe(100);
    expect(ramp(40, 5)).toBe(100);
  });
});

describe('combine', () => {
  it('weighs each signal and caps the sum at 100', () => {
    expect(combine([reading('rapid-fire', 60), reading('duplicate-prompt', 60)], WEIGHTS)).toBe(60);
    expect(combine([reading('farming', 100), reading('accounts-per-address', 100)], WEIGHTS)).toBe(
      100,
    );
    expect(combine([reading('accounts-per-device', 50)], WEIGHTS)).toBe(30);
    expect(combine([], WEIGHTS)).toBe(0);
  });
});
