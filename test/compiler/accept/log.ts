// log(): print with a level prefix, filtered by a threshold (default: info).
import { u32, log, setLogLevel, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } from "kts";

export function main(): u32 {
  const n: u32 = 3;
  log(LOG_INFO, `booting ${n} cpus`);
  log(LOG_DEBUG, "hidden at the default level");
  setLogLevel(LOG_DEBUG);
  log(LOG_DEBUG, `now visible: ${n}`);
  setLogLevel(LOG_ERROR);
  log(LOG_WARN, "hidden again");
  log(LOG_ERROR, "errors always show");
  return 0;
}
