// Private networking with CNI plugins (rkt-internals §10): stage0 sets it up, stage1's gc tears it down.
export { checkNetworkSelection, setUpPodNetwork, type JoinedNetwork, type PodNetworkRequest } from "./pod-network";
export type { PortForward } from "./port-forwarding";
