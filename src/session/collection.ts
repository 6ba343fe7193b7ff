import { CdoError } from '../errors/cdo-error.js';

/** A 1-based collection, as CDONTS collections are: Count, Item(1…Count), iteration. */
export class Collection<T> {
  protected readonly items: T[] = [];

  get Count(): number {
    return this.items.length;
  }

  Item(index: number): T {
    const item = this.items[index - 1];
    if (item === undefined) throw new CdoError('CDO_E_NOT_FOUND', `no item ${index} (the collection holds ${this.items.length}, counted from 1)`);
    return item;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}
