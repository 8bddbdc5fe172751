// Issue 9: fields of device and packet layouts at byte offsets with a stated
// byte order, each field's range checked once (an IPv4 header and a virtio-style
// little-endian descriptor).
import { u8, u16, u32, print, array, arrayOf, readU16Be, readU32Be, writeU16Be, writeU32Be, readU16Le, readU32Le, readU64Le, writeU64Le, writeU32Le, readU64Be, writeU64Be, writeU16Le } from "kts";

export function main(): u32 {
  const ip: u8[] = arrayOf([0x45, 0x00, 0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01, 0xa2, 0x6b, 0xc0, 0xa8, 0x01, 0x02, 0x08, 0x08, 0x08, 0x08]);
  print(`length ${readU16Be(ip, 2)} id ${readU16Be(ip, 4)} src ${readU32Be(ip, 12)} dst ${readU32Be(ip, 16)}`);
  writeU16Be(ip, 10, 0xbeef);
  print(`checksum ${ip[10]} ${ip[11]} le ${readU16Le(ip, 10)}`);
  const desc: u8[] = array(16, 0);
  writeU64Le(desc, 0, 0x1122_3344_5566_7788n);
  writeU32Le(desc, 8, 4096);
  writeU16Le(desc, 12, 3);
  print(`addr ${readU64Le(desc, 0)} len ${readU32Le(desc, 8)} flags ${readU16Le(desc, 12)} byte0 ${desc[0]} be ${readU64Be(desc, 0)}`);
  writeU64Be(desc, 8, 0xffff_ffff_ffff_fffen);
  writeU32Be(desc, 4, 0x8000_0001);
  print(`after ${readU64Le(desc, 8)} ${readU32Le(desc, 4)} ${readU32Be(desc, 4)}`);
  const last: u16 = readU16Be(ip, 19); // 19..21 of 20: the whole field is checked
  return u32(last);
}
