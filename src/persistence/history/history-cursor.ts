import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { JobHistoryFilters, JobHistoryPosition } from './job-history.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why a cursor was refused; the controller answers 400 with it. */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`cursor is invalid: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

interface CursorPayload {
  /** created_at of the last row shown, epoch ms. */
  readonly t: number;
  /** id of that row. */
  readonly i: string;
  /** Fingerprint of the filters the page was made with. */
  readonly f: string;
}

/**
 * `next_cursor` of `GET /api/jobs`: the position after the last row shown (created_at, id), bound to the query's
 * filters, signed with HMAC-SHA256. Opaque to clients; a forged, edited or truncated cursor, or one reused with other
 * filters, fails the signature or the filter check and answers 400, so the keyset query only ever sees positions the
 * service handed out. Positions are ms-precise: the writer stores created_at with ms precision (job.timestamp).
 */
export class HistoryCursorCodec {
  private readonly key: Buffer;

  /** @param secret any per-deployment secret shared by every API process (the service derives it from DATABASE_URL) */
  constructor(secret: string) {
    this.key = createHash('sha256').update(`smartcache history cursor v1\0${secret}`).digest();
  }

  encode(position: JobHistoryPosition, filters: JobHistoryFilters): string {
    const payload: CursorPayload = {
      t: position.createdAt.getTime(),
      i: position.id,
      f: fingerprint(filters),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The position encoded in `cursor`, after checking its signature and that it was made for `filters`. */
  decode(cursor: string, filters: JobHistoryFilters): JobHistoryPosition {
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined || cursor.length > 512) {
      throw new InvalidCursorError('malformed');
    }
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError('signature does not match (not a cursor this service issued, or altered)');
    }
    let payload: Partial<CursorPayload>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Partial<CursorPayload>;
    } catch {
      throw new InvalidCursorError('malformed');
    }
    if (typeof payload.t !== 'number' || !Number.isSafeInteger(payload.t) || !UUID.test(String(payload.i))) {
      throw new InvalidCursorError('malformed');
    }
    if (payload.f !== fingerprint(filters)) {
      throw new InvalidCursorError('it belongs to a query with other filters; start again without a cursor');
    }
    return { createdAt: new Date(payload.t), id: String(payload.i) };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

function fingerprint({ status, inputType, since, until }: JobHistoryFilters): string {
  return createHash('sha256')
    .update(JSON.stringify([status ?? '', inputType ?? '', since?.getTime() ?? '', until?.getTime() ?? '']))
    .digest('base64url')
    .slice(0, 16);
}
