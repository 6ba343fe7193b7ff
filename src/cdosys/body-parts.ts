import { CdoError } from '../errors/cdo-error.js';
import { primitive } from '../internal/primitive.js';
import type { BodyPart } from './body-part.js';

/**
 * An IBodyParts collection (Message.Attachments): Count, Item(i) 1-based as every VBScript
 * collection, Delete(index or part), DeleteAll, and for…of.
 */
export class BodyParts {
  readonly #parts: BodyPart[];

  constructor(parts: BodyPart[]) {
    this.#parts = parts;
  }

  get Count(): number {
    return this.#parts.length;
  }

  Item(index: number): BodyPart {
    const i = primitive(index);
    const part = typeof i === 'number' && Number.isInteger(i) ? this.#parts[i - 1] : undefined;
    if (part === undefined) throw new CdoError('CDO_E_INVALID_PARAMETER', `Item: index ${JSON.stringify(i)} is not between 1 and ${this.#parts.length}`);
    return part;
  }

  Delete(which: number | BodyPart): void {
    const target = primitive(which);
    const index = typeof target === 'number' ? target - 1 : this.#parts.indexOf(target as BodyPart);
    if (!Number.isInteger(index) || index < 0 || index >= this.#parts.length) throw new CdoError('CDO_E_INVALID_PARAMETER', 'Delete: no such body part');
    this.#parts.splice(index, 1);
  }

  DeleteAll(): void {
    this.#parts.length = 0;
  }

  [Symbol.iterator](): Iterator<BodyPart> {
    return [...this.#parts][Symbol.iterator]();
  }
}
