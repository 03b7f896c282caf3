import type { ServiceNode } from '@tsmicro/registry';
import type { Strategy, StrategyInput } from '../selector.js';

/** The cursor shared by every selection of one service, kept in the strategy's state. */
interface Cursor {
  at: number;
}

/** The service's cursor, made on first use at a random offset. */
function cursorOf({ state, random, nodes }: StrategyInput): Cursor {
  const found = state.get('cursor') as Cursor | undefined;
  if (found !== undefined) return found;
  const made: Cursor = { at: Math.floor(random() * nodes.length) };
  state.set('cursor', made);
  return made;
}

/**
 * Takes nodes in turn, O(1). The cursor is kept per service across selections and starts at a
 * random offset, so many clients started together do not all hit the first node.
 * @example createSelector({ registry, strategy: roundRobin })
 */
export const roundRobin: Strategy = {
  name: 'roundRobin',
  pick(input: StrategyInput): () => ServiceNode {
    const { nodes } = input;
    // Looked up once per selection, not per pick: the picker only moves the cursor.
    const cursor = cursorOf(input);
    return () => {
      const at = cursor.at;
      // Wrap well before 2^53 so the cursor stays an exact integer.
      cursor.at = (at + 1) % 0x7fffffff;
      return nodes[at % nodes.length]!;
    };
  },
};
