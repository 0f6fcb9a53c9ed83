package ai.llep.aten;

import ai.djl.Device;

/**
 * A {@code Device} argument in a stack slot. libtorch 2.10 and later read the device index from the
 * low 32 bits and the device type from the high 32; 2.7 to 2.9 copy the slot's first two bytes into
 * a {@code c10::Device} (type byte, then index byte). Type codes come from libtorch's {@code
 * aoti_torch_device_type_*()} getters.
 */
final class DeviceCodes {
  private DeviceCodes() {}

  static long encode(LibTorch lib, Device device) {
    int type =
        switch (device.getDeviceType()) {
          case Device.Type.CPU -> lib.deviceTypeCode("cpu");
          case Device.Type.GPU -> lib.deviceTypeCode("cuda");
          default ->
              throw new IllegalArgumentException(
                  "no libtorch device type for DJL device " + device);
        };
    int index = device.getDeviceId();
    return pack(lib.version, type, index);
  }

  static long pack(AbiVersion version, int type, int index) {
    if (version.atLeast(AbiVersion.V2_10)) {
      return ((long) type << 32) | (index & 0xffffffffL);
    }
    return (type & 0xffL) | ((index & 0xffL) << 8);
  }
}
