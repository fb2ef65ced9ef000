import { Clock } from '../../src/access/clock';

/** A clock a test sets and moves (rate windows, the UTC day of the job quota); shared by every app it is given to. */
export class FakeClock extends Clock {
  constructor(private ms: number) {
    super();
  }

  now(): number {
    return this.ms;
  }

  set(isoOrMs: string | number): void {
    this.ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
