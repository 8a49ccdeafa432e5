// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// gotls_leak: a Go program that reads an identifier file and POSTs it over HTTPS with net/http
// (crypto/tls, statically linked: no libssl to probe). Usage: gotls_leak FILE URL [DELAY_MS];
// FILE "-" reads standard input (the fd as it was handed over: a shell's `< FILE`).
package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gotls_leak FILE URL [DELAY_MS]")
		os.Exit(2)
	}
	var id []byte
	var err error
	if os.Args[1] == "-" {
		id, err = io.ReadAll(os.Stdin)
	} else {
		id, err = os.ReadFile(os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 3 {
		ms, _ := strconv.Atoi(os.Args[3])
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	// the test host's certificate is a throwaway self-signed one (as curl -k in the other tests)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	body := []byte(`{"device":"` + string(bytes.TrimSpace(id)) + `"}`)
	resp, err := client.Post(os.Args[2], "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
