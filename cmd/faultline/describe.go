package main

import (
	"github.com/spf13/cobra"

	"github.com/faultline/faultline/patterns"
	"github.com/faultline/faultline/patterns/catalog"
	"github.com/faultline/faultline/scenarios"
)

func newDescribeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "describe PATTERN",
		Short: "Print a pattern's topology, config keys (type, default, doc), baseline and metrics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := catalog.All().Lookup(args[0])
			if err != nil {
				return &exitError{exitUsage, err}
			}
			return patterns.Describe(cmd.OutOrStdout(), p)
		},
	}
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the scenario format (for editors: see the README)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := scenarios.Schema(catalog.All())
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}
