/**
 * A login mutation stands alone in its operation (issue 10): beside other root fields, or beside
 * an alias of another login, the whole operation is refused with BAD_USER_INPUT before anything
 * executes. The audit record of a request names the session the request itself carried; a login
 * that shared its operation with other fields made that ambiguous (the other fields ran without a
 * viewer, or were recorded under the session the login opened).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { loginAloneViolation } from '../../audit/operation';
import { BadUserInputError } from '../../shared/errors';
import { toGraphQLError } from './errors.plugin';

export function loginAlonePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation }) {
          const problem = operation ? loginAloneViolation(document, operation) : null;
          if (problem) throw toGraphQLError(new BadUserInputError(problem));
        },
      };
    },
  };
}
