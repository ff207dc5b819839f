export {
  BRIDGE_DEFAULTS,
  type Bridge,
  type BridgeOptions,
  type BridgePlan,
  BridgePlanError,
  deployedStackPrefix,
  describeBridge,
  planBridge,
  startBridge,
} from './bridge';
export { functionNameOf, LambdaApiInvoker } from './lambda-invoker';
