// nitro_crc: combinational reflected CRC-32 over a fixed-length message.
// init 0xFFFFFFFF, final xor 0xFFFFFFFF. POLY 0x82F63B78 = CRC-32C, 0xEDB88320 = IEEE CRC-32.
// The message is big-endian packed: byte 0 (the first byte hashed) is msg[8*NBYTES-1 -: 8].
module nitro_crc #(
  parameter int          NBYTES = 7,            // message length in bytes (>= 1)
  parameter logic [31:0] POLY   = 32'h82F63B78  // reflected polynomial
) (
  input  logic [8*NBYTES-1:0] msg,  // message, first byte in the top bits
  output logic [31:0]         crc   // CRC of msg
);

  if (NBYTES < 1) begin : g_chk_nbytes
    $error("nitro_crc: NBYTES must be >= 1");
  end

  always_comb begin
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < NBYTES; i++) begin
      c = c ^ {24'h0, msg[8*(NBYTES-1-i) +: 8]};
      for (int b = 0; b < 8; b++) begin
        c = (c >> 1) ^ (POLY & {32{c[0]}});
      end
    end
    crc = ~c;
  end

endmodule
