// The playground's gRPC-Web panel: calls wirefault.demo.v1.Notes over
// gRPC-Web with the session cookie, and shows the status, message and
// details the page itself could read. Framed and decoded by hand (no
// build step, no generated client): a 5-byte frame header (flag, length),
// the trailers frame flagged 0x80, and the few protobuf messages the
// answers carry (google.rpc.Status and its ErrorInfo, BadRequest,
// RetryInfo, RequestInfo details). Loaded after app.js (uses its `log`
// and `API`).
"use strict";

const GRPC_CODES = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
  "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
  "UNAUTHENTICATED",
];

// Protobuf, minimally: varints, length-delimited fields, strings.
const pb = {
  varint(n) {
    const out = [];
    let v = BigInt.asUintN(64, BigInt(n));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      out.push(byte);
    } while (v);
    return out;
  },
  string(field, text) {
    const bytes = new TextEncoder().encode(text);
    return [(field << 3) | 2, ...pb.varint(bytes.length), ...bytes];
  },
  int(field, n) {
    return [(field << 3) | 0, ...pb.varint(n)];
  },
  // Every field of a message: { number: [values] }; a value is a
  // Uint8Array (length-delimited) or a BigInt (varint).
  fields(bytes) {
    const out = {};
    let i = 0;
    const readVarint = () => {
      let v = 0n;
      for (let shift = 0n; i < bytes.length; shift += 7n) {
        const b = bytes[i++];
        v |= BigInt(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
      }
      throw new Error("truncated varint");
    };
    while (i < bytes.length) {
      const key = Number(readVarint());
      const [field, wire] = [key >> 3, key & 7];
      let value;
      if (wire === 0) value = readVarint();
      else if (wire === 2) {
        const len = Number(readVarint());
        value = bytes.subarray(i, i + len);
        i += len;
      } else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else throw new Error(`wire type ${wire}`);
      if (value !== undefined) (out[field] ||= []).push(value);
    }
    return out;
  },
  text: (bytes) => (bytes ? new TextDecoder().decode(bytes) : ""),
};

// google.rpc.Status's details, decoded for the types the service sends.
const DETAILS = {
  "type.googleapis.com/google.rpc.ErrorInfo": (f) => ({
    reason: pb.text(f[1]?.[0]),
    domain: pb.text(f[2]?.[0]),
    metadata: Object.fromEntries(
      (f[3] || []).map((entry) => {
        const e = pb.fields(entry);
        return [pb.text(e[1]?.[0]), pb.text(e[2]?.[0])];
      }),
    ),
  }),
  "type.googleapis.com/google.rpc.BadRequest": (f) => ({
    fieldViolations: (f[1] || []).map((v) => {
      const e = pb.fields(v);
      return { field: pb.text(e[1]?.[0]), description: pb.text(e[2]?.[0]) };
    }),
  }),
  "type.googleapis.com/google.rpc.RetryInfo": (f) => {
    const d = f[1] ? pb.fields(f[1][0]) : {};
    return { retryDelaySeconds: Number(d[1]?.[0] ?? 0n) + Number(d[2]?.[0] ?? 0n) / 1e9 };
  },
  "type.googleapis.com/google.rpc.RequestInfo": (f) => ({ requestId: pb.text(f[1]?.[0]) }),
};

// `grpc-status-details-bin` (base64, unpadded) → its details.
function decodeDetails(base64) {
  if (!base64) return null;
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  const status = pb.fields(bytes);
  return (status[3] || []).map((any) => {
    const a = pb.fields(any);
    const type = pb.text(a[1]?.[0]);
    const decode = DETAILS[type];
    return { type: type.split("/").pop(), ...(decode ? decode(pb.fields(a[2]?.[0] || new Uint8Array())) : {}) };
  });
}

// The frames of a gRPC-Web body: messages, and the trailers as a Map.
function frames(body) {
  const messages = [];
  const trailers = new Map();
  for (let i = 0; i + 5 <= body.length; ) {
    const flag = body[i];
    const len = new DataView(body.buffer, body.byteOffset + i + 1, 4).getUint32(0);
    const payload = body.subarray(i + 5, i + 5 + len);
    i += 5 + len;
    if (flag & 0x80) {
      for (const line of pb.text(payload).split("\r\n")) {
        const at = line.indexOf(":");
        if (at > 0) trailers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
      }
    } else messages.push(payload);
  }
  return { messages, trailers };
}

// One unary call; logs and returns what the page could read.
async function grpcWeb(method, message, label) {
  const what = `Notes/${method}${label ? ` (${label})` : ""}`;
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  try {
    const res = await fetch(`${API}/wirefault.demo.v1.Notes/${method}`, {
      method: "POST",
      credentials: "include",
      headers: {
        "Content-Type": "application/grpc-web+proto",
        "X-Grpc-Web": "1",
        "X-User-Agent": "wirefault-playground",
      },
      body: frame,
    });
    const body = new Uint8Array(await res.arrayBuffer());
    const { messages, trailers } = frames(body);
    // A trailers-only answer (every error) has the status in the headers:
    // the page reads them only if the API exposes them (CORS).
    const read = (name) => res.headers.get(name) ?? trailers.get(name) ?? null;
    const rawStatus = read("grpc-status");
    const code = rawStatus === null ? null : Number(rawStatus);
    const message = read("grpc-message");
    const entry = {
      kind: "gRPC-Web",
      what,
      status: code === null ? "no grpc-status readable" : `${code} ${GRPC_CODES[code] ?? "?"}`,
      grpcStatus: code,
      grpcMessage: message === null ? null : decodeURIComponent(message),
      requestId: res.headers.get("x-request-id"),
      remaining: res.headers.get("x-ratelimit-remaining"),
      details: decodeDetails(read("grpc-status-details-bin")),
      httpStatus: res.status,
    };
    if (code === 0 && messages.length) {
      const note = pb.fields(messages[0]);
      entry.note = `note #${note[1]?.[0] ?? "?"} ${pb.text(note[3]?.[0])}`;
    }
    if (code !== 0) entry.body = { message: entry.grpcMessage, details: entry.details };
    return log(entry);
  } catch (e) {
    return log({ kind: "gRPC-Web", what, error: `${e.name}: ${e.message}` });
  }
}

const grpcCalls = {
  create: () =>
    grpcWeb(
      "CreateNote",
      [...pb.string(1, `grpc ${$("title").value} ${Date.now()}`), ...pb.string(2, $("body").value)],
      "valid note",
    ),
  invalid: () => grpcWeb("CreateNote", [...pb.string(1, ""), ...pb.string(2, "x".repeat(10_001))], "invalid note"),
  missing: () => grpcWeb("GetNote", pb.int(1, 999_999_999), "missing note"),
};

for (const b of document.querySelectorAll("[data-grpc]")) {
  b.onclick = () => grpcCalls[b.dataset.grpc]();
}
window.wfGrpcWeb = { grpcWeb, decodeDetails, frames, calls: grpcCalls };
