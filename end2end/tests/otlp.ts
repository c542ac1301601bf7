/** Builds OTLP/JSON trace requests and sends them to the server under test. */
import { expect, type APIRequestContext } from "@playwright/test";

export type Attr = [string, string | number | boolean];

export interface SpanSpec {
  /** Defaults to the request's trace id. */
  traceId?: string;
  service: string;
  /** The service's `service.namespace`, if any. */
  namespace?: string;
  spanId: string;
  parentId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  attributes?: Attr[];
  error?: boolean;
}

function value(v: string | number | boolean) {
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: v };
}

/** One export request: spans grouped by service into resource spans. */
export function traceRequest(traceId: string, spans: SpanSpec[]) {
  const byService = new Map<string, SpanSpec[]>();
  for (const span of spans) {
    byService.set(span.service, [...(byService.get(span.service) ?? []), span]);
  }
  return {
    resourceSpans: [...byService.entries()].map(([service, list]) => ({
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: service } },
          { key: "deployment.environment.name", value: { stringValue: "e2e" } },
          ...list
            .filter((s) => s.namespace)
            .slice(0, 1)
            .map((s) => ({ key: "service.namespace", value: { stringValue: s.namespace } })),
        ],
      },
      scopeSpans: [
        {
          scope: { name: "watchpost-e2e", version: "1.0" },
          spans: list.map((s) => ({
            traceId: s.traceId ?? traceId,
            spanId: s.spanId,
            parentSpanId: s.parentId ?? "",
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: String(s.startNs),
            endTimeUnixNano: String(s.startNs + s.durationNs),
            attributes: (s.attributes ?? []).map(([key, v]) => ({ key, value: value(v) })),
            status: s.error ? { code: 2, message: "failed" } : {},
          })),
        },
      ],
    })),
  };
}

/**
 * Posts to the main port's `/v1/traces`, or to the OTLP/HTTP listener at
 * `endpoint` (`http://host:port`), with an ingest key if given.
 */
export async function sendTrace(request: APIRequestContext, body: unknown, endpoint = "", key = "") {
  const response = await request.post(`${endpoint}/v1/traces`, {
    data: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Random lower-case hex of `bytes` bytes. */
export function hexId(bytes: number): string {
  let text = "";
  for (let i = 0; i < bytes; i++) {
    text += Math.floor(Math.random() * 256).toString(16).padStart(2, "0");
  }
  return text;
}

/**
 * Data for these tests lives two days back, in a window of its own, so the
 * shell tests (which expect empty pages for the last hour) never see it.
 */
export function pastWindow(offsetMinutes: number) {
  const minute = 60_000;
  const base = Math.floor(Date.now() / minute) * minute - 2 * 24 * 60 * minute + offsetMinutes * minute;
  return {
    startNs: BigInt(base + minute) * 1_000_000n,
    query: `from=${base}&to=${base + 10 * minute}`,
  };
}

/** Ten requests of `service` ending now, half of them failed: an error rate of 50 %. */
export async function sendFailingRequests(request: APIRequestContext, service: string) {
  const end = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: 10 }, (_, i) => ({
    service,
    spanId: hexId(8),
    name: "POST /charge",
    kind: 2,
    startNs: end - 20_000_000n,
    durationNs: 20_000_000n,
    error: i < 5,
  }));
  await sendTrace(request, traceRequest(hexId(16), spans));
}
