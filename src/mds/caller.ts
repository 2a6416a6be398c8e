// Who calls the app API, and whether that is the pod whose token the request presents.
// The token travels in clear (AC_METADATA_URL's path), so it names a pod but does not
// prove the caller is that pod: a pod with a network namespace of its own is recognised by
// its address there, a pod on the host network by the process holding the connection.
import type { PodAnchor } from "./pod-processes";
import type { RegisteredPod } from "./pod-registry";

export interface Caller {
  /** The connection's remote address, as the listener reports it. */
  address: string;
  /** Whether a process of the pod of `anchor` holds the caller's end of the connection. */
  isProcessOf(anchor: PodAnchor): boolean;
}

/** An address without the IPv6-mapped prefix of an IPv4 one. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice("::ffff:".length) : address;
}

/** Whether `caller` is `pod`; a pod registered with neither an address nor a process (as rkt did) is known by its token alone. */
export function callerIsPod(pod: RegisteredPod, caller: Caller): boolean {
  if (pod.sourceAddress !== undefined) return plainAddress(caller.address) === pod.sourceAddress;
  if (pod.anchor !== undefined) return caller.isProcessOf(pod.anchor);
  return true;
}
