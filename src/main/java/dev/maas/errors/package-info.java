/**
 * The failures every feature reports, knowing nothing of HTTP, gRPC or Spring: a thing that does
 * not exist ({@link NotFoundException}), a request that contradicts the current state ({@link
 * ConflictException}), input that breaks a rule ({@link InvalidException}), input over a limit
 * ({@link TooLargeException}) and a server at capacity ({@link BusyException}). Features throw
 * them; only a transport's edge (the web layer's {@code ProblemDetailsAdvice}) turns them into its
 * statuses and bodies. This package depends on nothing else of maas.
 */
package dev.maas.errors;
