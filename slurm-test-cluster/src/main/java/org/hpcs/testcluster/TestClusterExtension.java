package org.hpcs.testcluster;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the local test stack as a {@link TestCluster} parameter.
 *
 * <p>The first test that asks for it in a JVM reuses a stack that is already up, or runs {@code
 * slurm-test-cluster/bin/hpcs-cluster up} (found by walking up from the working directory, or from
 * the {@code hpcs.repo.root} system property) and waits for it. The stack is left running when the
 * tests end, so that the next module's tests and other users of the machine reuse it; stop it with
 * {@code hpcs-cluster down}.
 *
 * <pre>{@code
 * @ExtendWith(TestClusterExtension.class)
 * class SomethingIT {
 *   @Test
 *   void works(TestCluster cluster) { ... cluster.baoAddr() ... }
 * }
 * }</pre>
 */
public final class TestClusterExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TestClusterExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestCluster.class;
  }

  @Override
  public TestCluster resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            TestCluster.class,
            key -> ClusterLauncher.forThisCheckout().startOrReuse(),
            TestCluster.class);
  }
}
