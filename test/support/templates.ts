/**
 * A synthesized stack's resources with those of its nested stacks (the HTTP routes' functions, the alarms:
 * lib/constructs/http-api.ts, lib/chat-stack.ts), as one map: nested logical ids do not collide with the
 * parent's. A nested stack names a parent resource through a parameter, `referenceto<stack><logical id><attr>`.
 */
import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const nestedStacksOf = (stack: Stack): NestedStack[] =>
  stack.node.findAll().filter((node): node is NestedStack => NestedStack.isNestedStack(node));

export function resourcesWithNested<R = { Type: string; Properties: Record<string, any> }>(
  stack: Stack,
): Record<string, R> {
  const resources: Record<string, R> = { ...Template.fromStack(stack).toJSON().Resources };
  for (const nested of nestedStacksOf(stack)) {
    Object.assign(resources, Template.fromStack(nested).toJSON().Resources);
  }
  return resources;
}
