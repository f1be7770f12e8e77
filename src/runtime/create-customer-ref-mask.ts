import { createHmac } from 'node:crypto';

/**
 * Returns a function that turns a customer id into a stable masked reference (`K-` and 10 hex
 * characters of an HMAC), so agents can quote a case to the CRM team without seeing the id.
 */
export function createCustomerRefMask(secret: string): (customerId: string) => string {
  return function maskCustomerId(customerId: string): string {
    return `K-${createHmac('sha256', secret).update(customerId).digest('hex').slice(0, 10)}`;
  };
}
