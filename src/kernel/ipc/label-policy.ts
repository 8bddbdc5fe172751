/**
 * The content-inspection policy the boot manifest designates endpoints with
 * (`inspect` in images/<tier>.json): per endpoint, the labels a request may
 * carry and, per label, whether its payload must be text. A request with any
 * other label, or a "text" one with a byte outside printable ASCII, tab and
 * newline, is rejected by the interceptor (audited as Rejected) before the
 * service sees it. Replies are answers to requests the endpoint accepted and
 * pass. The inspector sees the kernel-stamped message, so msg.endpoint is true.
 */
import { u32, bool, array } from "kts";
import { Message, FLAG_REPLY, PAYLOAD_BYTES } from "./message";

const MAX_RULES = 32;

const ruleEndpoint: u32[] = array(MAX_RULES, 0);
const ruleLabel: u32[] = array(MAX_RULES, 0);
const ruleTextOnly: bool[] = array(MAX_RULES, false);
let rules: u32 = 0;

/** Adds a rule (boot, under the lock); false when the table is full. */
export function labelPolicyAdd(endpoint: u32, label: u32, textOnly: bool): bool {
  if (rules >= MAX_RULES) return false;
  ruleEndpoint[rules] = endpoint;
  ruleLabel[rules] = label;
  ruleTextOnly[rules] = textOnly;
  rules = u32(rules + 1);
  return true;
}

function isText(msg: Message): bool {
  const n: u32 = msg.len < PAYLOAD_BYTES ? msg.len : PAYLOAD_BYTES;
  for (let i: u32 = 0; i < n; i++) {
    const c: u32 = u32(msg.byteAt(i));
    if ((c < 0x20 || c > 0x7e) && c != 0x09 && c != 0x0a) return false;
  }
  return true;
}

/** The inspector for designated endpoints: true lets the message through. */
export function labelPolicyInspect(msg: Message): bool {
  if ((msg.flags & FLAG_REPLY) != 0) return true;
  for (let i: u32 = 0; i < rules; i++) {
    if (ruleEndpoint[i] != msg.endpoint || ruleLabel[i] != msg.label) continue;
    return !ruleTextOnly[i] || isText(msg);
  }
  return false;
}
