// tb_nitro_crc: checks nitro_crc (CRC-32C and CRC-32 over 7-byte mapping keys and 13-byte flow
// tuples) against every line of hw/vectors/hash_vectors.txt, then that a disabled unit (en low)
// outputs 0. Run from the repository root.
`timescale 1ns/1ps
module tb_nitro_crc;

  logic [55:0]  map_key;
  logic [103:0] flow_key;
  logic [31:0]  map_c, map_i, flow_c, flow_i;
  logic         en;   // printed in the error messages: without a read of it in this process, the
                    // units were not evaluated again after en rose (seen with --timing, 5.006)

  nitro_crc #(.NBYTES(7),  .POLY(32'h82F63B78)) u_map_c  (.en(en), .msg(map_key),  .crc(map_c));
  nitro_crc #(.NBYTES(7),  .POLY(32'hEDB88320)) u_map_i  (.en(en), .msg(map_key),  .crc(map_i));
  nitro_crc #(.NBYTES(13), .POLY(32'h82F63B78)) u_flow_c (.en(en), .msg(flow_key), .crc(flow_c));
  nitro_crc #(.NBYTES(13), .POLY(32'hEDB88320)) u_flow_i (.en(en), .msg(flow_key), .crc(flow_i));

  initial begin
    int fd, n, errors, checked;
    string line, kind, keyhex;
    logic [31:0] want_c, want_i;
    logic [103:0] key;
    errors = 0;
    checked = 0;
    en = 1'b1;
    map_key = '0;
    flow_key = '0;
    fd = $fopen("hw/vectors/hash_vectors.txt", "r");
    if (fd == 0) begin
      $display("FAIL: cannot open hw/vectors/hash_vectors.txt (run from the repository root)");
      $fatal(1);
    end
    while (!$feof(fd)) begin
      line = "";
      n = $fgets(line, fd);
      if (n <= 1 || line.getc(0) == "#") continue;
      n = $sscanf(line, "%s %s %h %h", kind, keyhex, want_c, want_i);
      if (n != 4) continue;
      n = $sscanf(keyhex, "%h", key);
      if (kind == "map") begin
        if (keyhex.len() != 14) begin $display("bad map key %s", keyhex); errors++; continue; end
        map_key = key[55:0];
        #1;
        if (map_c !== want_c || map_i !== want_i) begin
          $display("ERROR: map %s (en %0d): crc32c %08x crc32 %08x, expected %08x %08x", keyhex, en, map_c, map_i, want_c, want_i);
          errors++;
        end
      end else if (kind == "flow") begin
        if (keyhex.len() != 26) begin $display("bad flow key %s", keyhex); errors++; continue; end
        flow_key = key;
        #1;
        if (flow_c !== want_c || flow_i !== want_i) begin
          $display("ERROR: flow %s (en %0d): crc32c %08x crc32 %08x, expected %08x %08x", keyhex, en, flow_c, flow_i, want_c, want_i);
          errors++;
        end
      end else begin
        continue;
      end
      checked++;
    end
    $fclose(fd);
    en = 1'b0;
    #1;
    if (map_c !== 32'h0 || map_i !== 32'h0 || flow_c !== 32'h0 || flow_i !== 32'h0) begin
      $display("ERROR: en low: crc %08x %08x %08x %08x, expected 0", map_c, map_i, flow_c, flow_i);
      errors++;
    end
    if (checked < 10) begin
      $display("FAIL: only %0d vectors checked", checked);
      $fatal(1);
    end
    if (errors != 0) begin
      $display("FAIL: %0d of %0d vectors wrong", errors, checked);
      $fatal(1);
    end
    $display("checked %0d vectors", checked);
    $display("PASS");
    $finish;
  end

endmodule
