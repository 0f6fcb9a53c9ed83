/**
 * DJL's native libraries, loaded once per process before anything touches DJL, with a lock between
 * processes while DJL unpacks them into its cache ({@link
 * ai.llep.trainer.natives.NativeLibraries}).
 */
package ai.llep.trainer.natives;
