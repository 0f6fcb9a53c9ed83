/** Command line, configuration, training loop, benchmarks and reports. */
package ai.llep.trainer;
